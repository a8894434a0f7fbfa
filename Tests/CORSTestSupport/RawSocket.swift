import NIOCore
import NIOPosix
import Synchronization

/// One end of a loopback TCP connection, byte for byte: what a test writes goes out unchanged (malformed,
/// slowly, or half of it), and everything received is kept, so that tests can play clients and upstreams no HTTP
/// library would agree to be.
public final class RawSocket: Sendable {
    private let channel: any Channel
    private let collector: Collector

    fileprivate init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to `host:port`; with `reading: false`, nothing is read until ``startReading()`` (the peer's bytes
    /// wait in the kernel's buffers, and then the peer's own).
    public static func connect(host: String = "127.0.0.1", port: Int, reading: Bool = true) async throws -> RawSocket {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: reading)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: host, port: port).get()
        return collector.socket(channel)
    }

    /// Connects to a URL's `http://host:port`.
    public static func connect(_ base: String, reading: Bool = true) async throws -> RawSocket {
        let authority = base.split(separator: "/")[1]
        let colon = authority.lastIndex(of: ":")!
        return try await connect(
            host: String(authority[..<colon]), port: Int(authority[authority.index(after: colon)...])!,
            reading: reading)
    }

    /// Reads from now on (after `reading: false`).
    public func startReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
    }

    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Everything received so far, and whether the peer has closed.
    public var received: (bytes: [UInt8], closed: Bool) {
        collector.state.withLock { ($0.bytes, $0.closed) }
    }

    public var text: String { String(decoding: received.bytes, as: UTF8.self) }

    /// How many bytes were received so far (without copying them, for large transfers).
    public var receivedCount: Int {
        collector.state.withLock { $0.bytes.count }
    }

    /// How long a wait that should succeed may take by default. It is long because tests run in parallel on a
    /// small machine that may also be starting browsers: a wait that succeeds returns as soon as it does, so only a
    /// failing test pays for it. Tests that expect *nothing* to arrive pass their own, short `seconds`.
    public static let patience: Double = 20

    /// Waits until `condition` holds of what was received, or `seconds` pass, or the peer has closed (nothing more
    /// can arrive then); returns whether it held.
    @discardableResult
    public func wait(seconds: Double = patience, until condition: ([UInt8], Bool) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            let (bytes, closed) = received
            if condition(bytes, closed) { return true }
            if closed { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let (bytes, closed) = received
        return condition(bytes, closed)
    }

    /// Waits for the peer to close, for at most `seconds`; returns whether it did.
    public func waitForClose(seconds: Double = patience) async -> Bool {
        await wait(seconds: seconds) { _, closed in closed }
    }

    /// Waits for `text` among the bytes received; returns whether it came.
    public func waitFor(_ text: String, seconds: Double = patience) async -> Bool {
        let needle = Array(text.utf8)
        return await wait(seconds: seconds) { bytes, _ in bytes.firstRange(of: needle) != nil }
    }

    /// The unread bytes up to and including the first empty line (a header section), once it has arrived.
    public func readHead(seconds: Double = patience) async -> [UInt8]? {
        let end = Array("\r\n\r\n".utf8)
        guard await wait(seconds: seconds, until: { bytes, _ in unread(bytes).firstRange(of: end) != nil }) else {
            return nil
        }
        return collector.state.withLock { state in
            let rest = state.bytes[state.consumed...]
            let range = rest.firstRange(of: end)!
            state.consumed = range.upperBound
            return Array(rest[..<range.upperBound])
        }
    }

    /// Waits for `count` more bytes and consumes them.
    public func read(count: Int, seconds: Double = patience) async -> [UInt8]? {
        guard await wait(seconds: seconds, until: { bytes, _ in unread(bytes).count >= count }) else { return nil }
        return collector.state.withLock { state in
            defer { state.consumed += count }
            return Array(state.bytes[state.consumed..<(state.consumed + count)])
        }
    }

    private func unread(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes[min(collector.state.withLock { $0.consumed }, bytes.count)...]
    }

    public func close() {
        channel.close(promise: nil)
    }

    /// Closes with a reset (RST) rather than a FIN.
    public func reset() {
        let channel = channel
        guard let provider = channel as? any SocketOptionProvider else { return channel.close(promise: nil) }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// A loopback server whose every connection is handed to a script that plays it byte by byte.
public final class RawServer: Sendable {
    private let channel: any Channel
    public let port: Int

    private init(channel: any Channel) {
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    /// `http://127.0.0.1:port`.
    public var origin: String { "http://127.0.0.1:\(port)" }

    /// With `reading: false`, a connection is read only after ``RawSocket/startReading()``.
    public static func start(
        reading: Bool = true, _ script: @escaping @Sendable (RawSocket) async throws -> Void
    ) async throws -> RawServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: reading)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let collector = Collector()
                    try channel.pipeline.syncOperations.addHandler(collector)
                    let socket = collector.socket(channel)
                    Task {
                        try? await script(socket)
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawServer(channel: channel)
    }

    public func shutdown() async throws {
        try await channel.close()
    }
}

/// Keeps every byte a connection receives, and notes its close.
final class Collector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    let state = Mutex<(bytes: [UInt8], consumed: Int, closed: Bool)>(([], 0, false))

    func socket(_ channel: any Channel) -> RawSocket {
        RawSocket(channel: channel, collector: self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        state.withLock { $0.bytes += Array(buffer.readableBytesView) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.withLock { $0.closed = true }
    }
}
