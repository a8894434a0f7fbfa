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

/// One connection to the upstream. Its reads and writes are used by one exchange at a time (the pool lends it out
/// whole); a second concurrent read is refused with an error.
final class UpstreamConnection: @unchecked Sendable {
    let channel: any Channel
    let outbound: NIOAsyncChannelOutboundWriter<HTTPRequestPart>
    private var inbound: NIOAsyncChannelInboundStream<HTTP1Parser.Event>.AsyncIterator
    private let busy = Atomic<Bool>(false)
    /// Whether the connection has carried an exchange before: a reused connection may have been closed by the
    /// upstream just as the request was sent, which makes a retry safe for requests without a body.
    let reused = Atomic<Bool>(false)

    private init(
        channel: any Channel, inbound: NIOAsyncChannelInboundStream<HTTP1Parser.Event>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPRequestPart>
    ) {
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
    }

    /// The next response event; `nil` when the upstream closed between messages.
    func next() async throws -> HTTP1Parser.Event? {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw InboundReader.ConcurrentRead()
        }
        defer { busy.store(false, ordering: .releasing) }
        return try await inbound.next()
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Opens a connection (with TLS for `https`), within ``GatewayLimits/upstreamConnectTimeout``.
    static func connect(
        to target: UpstreamTarget, tls: NIOSSLContext?, limits: GatewayLimits, group: any EventLoopGroup
    ) async throws -> UpstreamConnection {
        let asyncChannel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(limits.upstreamConnectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let name =
                            target.host.contains(":") || target.host.allSatisfy({ $0.isNumber || $0 == "." })
                            ? nil : target.host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHandler(HTTP1ClientConnection(limits: limits))
                    return try NIOAsyncChannel<HTTP1Parser.Event, HTTPRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        // The channel lives in a task of its own, scoped by executeThenClose, until it closes; exchanges borrow it.
        return await withCheckedContinuation { continuation in
            Task {
                try? await asyncChannel.executeThenClose { inbound, outbound in
                    continuation.resume(
                        returning: UpstreamConnection(
                            channel: asyncChannel.channel, inbound: inbound.makeAsyncIterator(), outbound: outbound))
                    try await asyncChannel.channel.closeFuture.get()
                }
            }
        }
    }
}
