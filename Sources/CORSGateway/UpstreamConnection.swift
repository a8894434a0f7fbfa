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
    /// The connection's HTTP/1.1 handler, which the exchange holding the connection writes to and hears from; used
    /// on the channel's loop.
    let http: HTTP1ClientConnection
    /// Whether the connection has carried an exchange before: a reused connection may have been closed by the
    /// upstream just as the request was sent, which makes a retry safe for requests without a body.
    var reused: Bool { reuses.load(ordering: .relaxed) }
    let reuses = Atomic<Bool>(false)

    private init(channel: any Channel, http: HTTP1ClientConnection) {
        self.channel = channel
        self.http = http
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
                    try channel.pipeline.syncOperations.addHandler(HTTP1ClientConnection(limits: limits))
                }
            }
            .connect(host: target.host, port: target.port)
            .flatMapThrowing { channel in
                let http = try channel.pipeline.syncOperations.handler(type: HTTP1ClientConnection.self)
                return UpstreamConnection(channel: channel, http: http)
            }
    }
}
