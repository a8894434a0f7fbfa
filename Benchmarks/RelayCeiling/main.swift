// The ceiling of any SwiftNIO proxy on this machine, for scripts/bench-gateway.sh: a TCP relay on one event loop
// that copies bytes between each client connection and one upstream connection of its own. No HTTP parsing, no
// CORS, no limits — only what every SwiftNIO proxy pays: two channels, their pipelines, and the system calls.
//
//   cors-relay-ceiling LISTEN_PORT UPSTREAM_PORT      (both on 127.0.0.1)
import NIOCore
import NIOPosix

/// Copies what one side reads to the other side, flushing once per read burst.
final class Relay: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    /// The other side; bytes that arrive before it is connected wait in `pending`.
    var peer: (any Channel)?
    private var pending: [ByteBuffer] = []

    func connected(to peer: any Channel) {
        self.peer = peer
        for bytes in pending { peer.write(bytes, promise: nil) }
        pending = []
        peer.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if let peer { peer.write(bytes, promise: nil) } else { pending.append(bytes) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        peer?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let listenPort = Int(arguments[1]), let upstreamPort = Int(arguments[2]) else {
    print("usage: cors-relay-ceiling LISTEN_PORT UPSTREAM_PORT")
    exit(2)
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let server = try await ServerBootstrap(group: group)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { client in
        let fromClient = Relay()
        return client.pipeline.addHandler(fromClient).flatMap {
            ClientBootstrap(group: client.eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { upstream in
                    let fromUpstream = Relay()
                    fromUpstream.peer = client
                    return upstream.pipeline.addHandler(fromUpstream)
                }
                .connect(host: "127.0.0.1", port: upstreamPort)
                .map { fromClient.connected(to: $0) }
        }
    }
    .bind(host: "127.0.0.1", port: listenPort).get()
try await server.closeFuture.get()
