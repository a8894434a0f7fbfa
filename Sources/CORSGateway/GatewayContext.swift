package import Hummingbird
package import NIOCore

/// The request context of the gateway: Hummingbird's basic context plus the client's address, for `Forwarded`.
package struct GatewayContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
