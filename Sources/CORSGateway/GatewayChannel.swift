import HummingbirdCore
import Logging
import NIOCore

/// The gateway's HTTP/1.1 child channel for Hummingbird's server: the strict codec of ``HTTP1ServerConnection``
/// instead of NIO's lenient one, and the request loop of ``GatewayHandler``, both on the connection's event loop.
/// The server's task for the connection only waits for it to close.
struct GatewayChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
    }

    let services: GatewayServices
    let limits: GatewayLimits
    let registry: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandlers(
                HTTP1ServerConnection(limits: limits, registry: registry), GatewayHandler(services: services))
            return Value(channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        let channel = value.channel
        await withTaskCancellationHandler {
            try? await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
