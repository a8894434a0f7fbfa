import HTTP1Wire
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import NIOPosix
import NIOSSL
import Synchronization

/// Where requests go: `http(s)://host[:port][/base/path]`.
package struct UpstreamTarget: Sendable, Hashable {
    package let isTLS: Bool
    package let host: String
    package let port: Int
    /// The base path, without a trailing `/`; requests' paths are appended to it.
    package let basePath: String
    /// `host[:port]` as the upstream's `Host`.
    package let authority: String

    /// Parses `http(s)://host[:port][/base]`; `nil` when it is not such a URL.
    package init?(_ url: String) {
        let lower = url.lowercased()
        let isTLS = lower.hasPrefix("https://")
        guard isTLS || lower.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(isTLS ? 8 : 7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard HTTP1Authority.isValid(authority.utf8), !authority.isEmpty else { return nil }
        var host = String(authority)
        var port = isTLS ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else {
                return nil
            }
            port = parsed
            host = String(authority[..<colon])
        }
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        var basePath = String(rest.dropFirst(authority.count))
        guard !basePath.contains("?"), !basePath.contains("#") else { return nil }
        while basePath.hasSuffix("/") { basePath.removeLast() }
        self.isTLS = isTLS
        self.host = host
        self.port = port
        self.basePath = basePath
        self.authority = String(authority)
    }
}

/// One connection to the upstream, lent by the pool to one exchange at a time, on its own event loop.
final class UpstreamConnection: @unchecked Sendable {
    let channel: any Channel
    /// The handler that gives the connection's events to the exchange that holds it; used on the channel's loop.
    let relay: UpstreamRelay
    /// Whether the connection has carried an exchange before: a reused connection may have been closed by the
    /// upstream just as the request was sent, which makes a retry safe for requests without a body.
    var reused: Bool { reuses.load(ordering: .relaxed) }
    let reuses = Atomic<Bool>(false)

    private init(channel: any Channel, relay: UpstreamRelay) {
        self.channel = channel
        self.relay = relay
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Opens a connection on `eventLoop` (with TLS for `https`), within ``GatewayLimits/upstreamConnectTimeout``.
    static func connect(
        to target: UpstreamTarget, tls: NIOSSLContext?, limits: GatewayLimits, on eventLoop: any EventLoop
    ) -> EventLoopFuture<UpstreamConnection> {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(limits.upstreamConnectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let name =
                            target.host.contains(":") || target.host.allSatisfy({ $0.isNumber || $0 == "." })
                            ? nil : target.host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        HTTP1ClientConnection(limits: limits), UpstreamRelay())
                }
            }
            .connect(host: target.host, port: target.port)
            .flatMapThrowing { channel in
                UpstreamConnection(
                    channel: channel, relay: try channel.pipeline.syncOperations.handler(type: UpstreamRelay.self))
            }
    }
}

/// The last handler of an upstream connection: it gives response events to the exchange holding the connection,
/// and holds reads back while that exchange's client is not taking the response.
final class UpstreamRelay: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTP1Parser.Event
    typealias OutboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPRequestPart

    /// The exchange holding the connection; `nil` while it is idle in the pool.
    var exchange: ProxyExchange?
    private var paused = false
    private var readHeld = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        exchange?.upstreamRead(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        exchange?.upstreamFailed(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange?.upstreamFailed(UpstreamClosed())
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.upstreamWritabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            readHeld = true
        } else {
            context.read()
        }
    }

    func pauseReading() {
        paused = true
    }

    func resumeReading() {
        paused = false
        if readHeld, let context {
            readHeld = false
            context.read()
        }
    }
}
