import CORSGateway
import CORSTestSupport
import Synchronization
import Testing

/// Both bodies stream through the gateway no faster than the far side takes them: a client or an upstream that
/// reads slowly (or not at all) cannot make the gateway hold a body in memory.
@Suite("cors serve: backpressure")
struct BackpressureTests {
    static let size = 64 << 20
    static let limits = quickLimits {
        $0.upstreamTimeout = .seconds(60)
        $0.bodyTimeout = .seconds(60)
        $0.sendTimeout = .seconds(60)
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    static func eventually(seconds: Int = 30, _ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<(seconds * 100) {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// An upstream that does not read: the gateway stops reading the client's upload (the kernel's buffers hold
    /// a few megabytes of the 64), and once the upstream reads, the upload goes on to the end.
    @Test func anUploadGoesNoFasterThanTheUpstreamReads() async throws {
        let accepted = Mutex<RawSocket?>(nil)
        let upstream = try await RawServer.start(reading: false) { socket in accepted.withLock { $0 = socket } }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: Self.limits) { base in
            let client = try await RawSocket.connect(base)
            try await client.send("POST /up HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: \(Self.size)\r\n\r\n")
            let taken = Mutex(0)
            let upload = Task {
                let chunk = [UInt8](repeating: 0x61, count: 1 << 20)
                for _ in 0..<(Self.size / chunk.count) {
                    try await client.send(chunk)
                    taken.withLock { $0 += chunk.count }
                }
            }
            try await Task.sleep(for: .seconds(2))
            let stalled = taken.withLock { $0 }
            #expect(stalled < Self.size / 2, "taken while the upstream reads nothing: \(stalled) bytes")
            let socket = try #require(accepted.withLock { $0 })
            try await socket.startReading()
            #expect(try await Self.eventually { taken.withLock { $0 } == Self.size }, "the upload resumes")
            #expect(try await Self.eventually { socket.receivedCount > Self.size }, "all of it arrives")
            upload.cancel()
            client.close()
        }
        try await upstream.shutdown()
    }

    /// A client that does not read: the gateway stops reading the upstream's 64 MB response, and once the client
    /// reads, the response goes on to the end.
    @Test func aDownloadGoesNoFasterThanTheClientReads() async throws {
        let sent = Mutex(false)
        let upstream = try await rawUpstream { socket, _ in
            try await socket.send("HTTP/1.1 200 OK\r\nContent-Length: \(Self.size)\r\n\r\n")
            try await socket.send([UInt8](repeating: 0x62, count: Self.size))
            sent.withLock { $0 = true }
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: Self.limits) { base in
            let client = try await RawSocket.connect(base, reading: false)
            try await client.send("GET /big HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            try await Task.sleep(for: .seconds(2))
            #expect(!sent.withLock { $0 }, "the whole response left the upstream while the client read nothing")
            try await client.startReading()
            #expect(try await Self.eventually { client.receivedCount > Self.size }, "all of it arrives")
            #expect(try await Self.eventually { sent.withLock { $0 } })
            client.close()
        }
        try await upstream.shutdown()
    }
}
