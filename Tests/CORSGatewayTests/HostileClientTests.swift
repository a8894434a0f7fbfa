import AsyncHTTPClient
import CORSCore
import CORSGateway
import CORSTestSupport
import HTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// An upstream played byte by byte: `GET /alive` always gets a 200 (so a test can check that the gateway still
/// serves), any other request goes to `script` with its header section's bytes.
func rawUpstream(_ script: @escaping @Sendable (RawSocket, [UInt8]) async throws -> Void) async throws -> RawServer {
    try await RawServer.start { socket in
        while let head = await socket.readHead(seconds: 30) {
            if head.starts(with: Array("GET /alive ".utf8)) {
                try await socket.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nalive")
                continue
            }
            try await script(socket, head)
            return
        }
    }
}

extension [UInt8] {
    func starts(with text: String) -> Bool { starts(with: Array(text.utf8)) }
}

/// After an attack: a new connection still gets an answer.
func expectServes(_ base: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let socket = try await RawSocket.connect(base)
    try await socket.send("GET /alive HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
    #expect(await socket.waitFor("HTTP/1.1 200"), "the gateway still serves", sourceLocation: sourceLocation)
    socket.close()
}

let openPolicy = PolicyFileState(
    try! PolicyFile(
        json: #"""
            {"allowOrigins":["https://app.example.com"],"allowCredentials":true,
             "routes":[{"pathPrefix":"/partner/","allowOrigins":["https://partner.example"]}],
             "crossOriginProtection":{"exempt":["/sso/*"]}}
            """#))

@Suite("cors serve against hostile clients and upstreams (issue #13)")
struct HostileClientTests {
    /// Item 1: the upstream answers before reading the body, while an honest client uploads over keep-alive.
    /// Before: the gateway read the connection twice at once and the process died.
    @Test func earlyUpstreamAnswerDuringAnUpload() async throws {
        let upstream = try await rawUpstream { socket, _ in
            try await socket.send("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig")
            _ = await socket.waitForClose(seconds: 10)
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send("POST /upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 40000\r\n\r\n")
            for _ in 0..<40 {
                if client.received.closed { break }
                try? await client.send([UInt8](repeating: 0x61, count: 1000))
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(await client.waitFor("\r\n\r\nbig", seconds: 10))
            #expect(client.text.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
            #expect(client.text.contains("\r\nConnection: close\r\n"), "the rest of the body will not be read")
            #expect(await client.waitForClose())
            try await expectServes(base)
        }
        try await upstream.shutdown()
    }

    /// Item 1, the attacker's way: a body promised and never sent, the socket held open.
    @Test func promisedBodyNeverSent() async throws {
        let upstream = try await rawUpstream { socket, _ in
            _ = await socket.read(count: 1000, seconds: 10)
            try await socket.send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let attacker = try await RawSocket.connect(base)
            try await attacker.send(
                "POST /upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 1000\r\n\r\n0123456789")
            #expect(await attacker.waitForClose(seconds: 5), "the stalled body times out")
            try await expectServes(base)
        }
        try await upstream.shutdown()
    }

    /// Item 2: twelve slow requests at once all succeed; with a pool of 2 and a queue of 2, the rest are told 503.
    /// The timeouts are wider than `quickLimits` and the second upstream slower, so that a busy machine (tests run in
    /// parallel) cannot turn a slow start into a timeout or let a late request find the pool free again.
    @Test func concurrentSlowRequestsAndThePoolLimits() async throws {
        let upstream = try await ScriptedServer.start { _ in
            ScriptedResponse(200, [], bytes: Array("ok".utf8), delay: 1)
        }
        let slower = try await ScriptedServer.start { _ in
            ScriptedResponse(200, [], bytes: Array("ok".utf8), delay: 3)
        }
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(10), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)))
        @Sendable func statuses(_ base: String, count: Int) async throws -> [Int] {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        let response = try await client.execute(
                            HTTPClientRequest(url: base + "/slow"), timeout: .seconds(15))
                        _ = try await response.body.collect(upTo: 1 << 16)
                        return Int(response.status.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let patient = quickLimits {
            $0.headerTimeout = .seconds(5)
            $0.upstreamTimeout = .seconds(6)
        }
        let start = ContinuousClock.now
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: patient) { base in
            let results = try await statuses(base, count: 12)
            #expect(results == Array(repeating: 200, count: 12))
        }
        #expect(ContinuousClock.now - start < .seconds(8), "not one after the other (that takes 12 s)")
        var small = patient
        small.upstreamConnections = 2
        small.upstreamQueue = 2
        try await withGateway(policy: openPolicy, upstream: slower.origin, limits: small) { base in
            let results = try await statuses(base, count: 8)
            #expect(results.filter { $0 == 200 }.count == 4, "two at once, two waiting: \(results)")
            #expect(results.filter { $0 == 503 }.count == 4)
        }
        try await client.shutdown()
        try await upstream.shutdown()
        try await slower.shutdown()
    }

    /// Item 2: a request that waits for a busy upstream connection longer than the timeout gets 503
    /// `upstream-busy`, while the exchange holding it goes on.
    @Test func waitingForAConnectionHasADeadline() async throws {
        let exchanges = Mutex(0)
        let upstream = try await rawUpstream { socket, _ in
            exchanges.withLock { $0 += 1 }
            // Two bytes every 150 ms keep the exchange alive for about 3 s, never quiet for the 2 s timeout even
            // when the machine is busy with other tests.
            let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
            for start in stride(from: 0, to: response.count, by: 2) {
                try await socket.send(Array(response[start..<min(start + 2, response.count)]))
                try await Task.sleep(for: .milliseconds(150))
            }
        }
        let limits = quickLimits {
            $0.upstreamConnections = 1
            $0.upstreamTimeout = .seconds(2)
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: limits) { base in
            let first = try await RawSocket.connect(base)
            try await first.send("GET /slow HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            // The second request is sent only once the first holds the one connection, however loaded the machine.
            for _ in 0..<500 where exchanges.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(exchanges.withLock { $0 } == 1)
            let second = try await RawSocket.connect(base)
            try await second.send("GET /slow HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await second.waitFor(#""error":"upstream-busy""#))
            #expect(second.text.hasPrefix("HTTP/1.1 503 "))
            #expect(
                await first.waitFor("\r\n\r\nok", seconds: 10),
                "the exchange that held the connection finished: \(first.text)")
        }
        try await upstream.shutdown()
    }

    /// Item 3: a silent connection, an idle kept-alive one, half a header section sent slowly, a stalled body —
    /// each is closed after its timeout, and the gateway serves on.
    @Test func clientTimeouts() async throws {
        let upstream = try await rawUpstream { _, _ in }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let silent = try await RawSocket.connect(base)
            #expect(await silent.waitForClose(seconds: 4), "header timeout from the connection's start")

            let idle = try await RawSocket.connect(base)
            try await idle.send("GET /alive HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await idle.waitFor("alive"))
            #expect(await idle.waitForClose(seconds: 4), "idle timeout after the response")

            let slowloris = try await RawSocket.connect(base)
            let partial = Task {
                for byte in "GET /alive HTTP/1.1\r\nHost: gateway.test\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8
                {
                    try await slowloris.send([byte])
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(await slowloris.waitFor("HTTP/1.1 408 Request Timeout", seconds: 4), "trickling bytes is no excuse")
            #expect(await slowloris.waitForClose(seconds: 4))
            partial.cancel()

            let stalled = try await RawSocket.connect(base)
            try await stalled.send(
                "POST /x HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
            #expect(await stalled.waitForClose(seconds: 4), "body timeout")
            try await expectServes(base)
        }
        try await upstream.shutdown()
    }

    /// Item 3: a thousand idle sockets against a cap of 64 connections: the idle ones make room, a real client
    /// is served.
    @Test func aThousandIdleSocketsDoNotStarveARealClient() async throws {
        let upstream = try await rawUpstream { _, _ in }
        let limits = quickLimits {
            $0.maxConnections = 64
            $0.headerTimeout = .seconds(30)
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: limits) { base in
            var idle: [RawSocket] = []
            for _ in 0..<1000 { idle.append(try await RawSocket.connect(base)) }
            let start = ContinuousClock.now
            try await expectServes(base)
            // Well before the 30 s header timeout would have freed a slot; wide, for a busy machine.
            #expect(ContinuousClock.now - start < .seconds(15))
            idle.forEach { $0.close() }
        }
        try await upstream.shutdown()
    }

    /// Items 4 and 5: the path the policy judges is the path the upstream gets; paths servers read in different
    /// ways never reach it.
    @Test func oneCanonicalPathIsJudgedAndForwarded() async throws {
        let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [], body: "upstream") }
        try await withGateway(policy: openPolicy, upstream: upstream.origin + "/public", limits: quickLimits()) {
            base in
            let refused = [
                "GET /../secret.txt", "GET /%2e%2e/secret.txt", "GET /..%2fsecret.txt", "GET /a/./b",
                "GET /partner/..%2fsecret.txt", "POST /sso/..;/admin/transfer", "POST /sso/..%2Fadmin/transfer",
                "POST /sso/..%5Cadmin/transfer", "GET /a%00b", "GET /a\\b",
            ]
            for line in refused {
                let socket = try await RawSocket.connect(base)
                try await socket.send(
                    "\(line) HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://partner.example\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\n\r\n"
                )
                #expect(await socket.waitFor("\r\n\r\n"), "\(line)")
                #expect(socket.text.hasPrefix("HTTP/1.1 400 "), "\(line): \(socket.text)")
                #expect(socket.text.contains("ambiguous-path") || socket.text.contains("invalid-target"), "\(line)")
                socket.close()
            }
            let socket = try await RawSocket.connect(base)
            try await socket.send(
                "GET //partner//x?q=%2F HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://partner.example\r\n\r\n")
            #expect(await socket.waitFor("upstream"))
            #expect(socket.text.contains("Access-Control-Allow-Origin: https://partner.example"))
        }
        try await upstream.shutdown()
        #expect(upstream.requests.map(\.target) == ["/public/partner/x?q=%2F"], "only the canonical path went through")
    }

    /// Item 6: a Host that would write its own `Forwarded` element is refused; the client's own forwarding fields
    /// are replaced unless trusted.
    @Test func forwardingFieldsCannotBeForged() async throws {
        let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [], body: "ok") }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let injected = try await RawSocket.connect(base)
            try await injected.send(
                "GET /a HTTP/1.1\r\nHost: x\", for=6.6.6.6;host=\"trusted.example\";by=\"\r\n\r\n")
            #expect(await injected.waitFor(#""error":"invalid-host""#))
            #expect(injected.text.hasPrefix("HTTP/1.1 400 "))

            let forged = try await RawSocket.connect(base)
            try await forged.send(
                "GET /b HTTP/1.1\r\nHost: api.example:8443\r\nForwarded: for=6.6.6.6\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: evil\r\n\r\n"
            )
            #expect(await forged.waitFor("\r\n\r\nok"))
        }
        try await withGateway(
            policy: openPolicy, upstream: upstream.origin, limits: quickLimits(),
            forwarding: Forwarding(fields: .both, trustIncoming: true)
        ) { base in
            let proxied = try await RawSocket.connect(base)
            try await proxied.send(
                "GET /c HTTP/1.1\r\nHost: api.example\r\nX-Forwarded-For: 10.0.0.1\r\nForwarded: for=10.0.0.1\r\n\r\n")
            #expect(await proxied.waitFor("\r\n\r\nok"))
        }
        try await upstream.shutdown()
        let requests = upstream.requests
        #expect(requests.map(\.target) == ["/b", "/c"])
        let forged = requests[0].headerFields
        #expect(forged[values: .init("Forwarded")!] == [#"for=127.0.0.1;host="api.example:8443";proto=http"#])
        #expect(forged[values: .init("X-Forwarded-For")!] == ["127.0.0.1"])
        #expect(forged[values: .init("X-Forwarded-Host")!] == ["api.example:8443"])
        let trusted = requests[1].headerFields
        #expect(trusted[values: .init("X-Forwarded-For")!] == ["10.0.0.1, 127.0.0.1"])
        #expect(
            trusted[values: .init("Forwarded")!] == ["for=10.0.0.1", #"for=127.0.0.1;host="api.example";proto=http"#])
    }

    /// Items 7 and 8: every `Access-Control-*` field of the upstream is the policy's to set, and field bytes
    /// that are not UTF-8 go through unchanged both ways.
    @Test func upstreamFieldsAndRawBytes() async throws {
        let seen = Mutex<[UInt8]>([])
        let upstream = try await rawUpstream { socket, head in
            seen.withLock { $0 = head }
            try await socket.send(
                Array("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Private-Network: true\r\nX-R: ".utf8) + [0xE9, 0xFF]
                    + Array("\r\nContent-Length: 2\r\n\r\nok".utf8))
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send(
                Array("GET /r HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://app.example.com\r\nX-N: caf".utf8)
                    + [0xE9, 0xFF] + Array("\r\n\r\n".utf8))
            #expect(await client.waitFor("\r\n\r\nok"))
            let response = client.received.bytes
            #expect(response.firstRange(of: Array("X-R: ".utf8) + [0xE9, 0xFF] + [0x0D, 0x0A]) != nil)
            #expect(client.text.contains("Access-Control-Allow-Origin: https://app.example.com\r\n"))
            #expect(!client.text.lowercased().contains("private-network"))
        }
        try await upstream.shutdown()
        #expect(seen.withLock { $0 }.firstRange(of: Array("X-N: caf".utf8) + [0xE9, 0xFF, 0x0D, 0x0A]) != nil)
    }

    /// Item 9 and the framing rules: what two parsers could read differently is refused before the upstream.
    @Test(arguments: [
        ("Transfer-Encoding: gzip\r\n", "transfer-encoding-not-chunked", 400),
        ("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "content-length-with-transfer-encoding", 400),
        ("Transfer-Encoding: gzip, chunked\r\n", "unsupported-transfer-coding", 501),
        ("Content-Length: 5\r\nContent-Length: 6\r\n", "invalid-content-length", 400),
        ("X-Folded: a\r\n b\r\n", "obsolete-line-folding", 400),
    ])
    func ambiguousFramingIsRefused(fields: String, code: String, status: Int) async throws {
        let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [], body: "ok") }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send("POST /x HTTP/1.1\r\nHost: gateway.test\r\n\(fields)\r\nhello")
            #expect(await client.waitFor(code))
            #expect(client.text.hasPrefix("HTTP/1.1 \(status) "))
            #expect(await client.waitForClose())
        }
        try await upstream.shutdown()
        #expect(upstream.requests.isEmpty)
    }

    /// Also seen: an upstream that switches protocols unasked, one that resets mid-response, and one that closes
    /// a kept-alive connection without saying so.
    @Test func misbehavingUpstreams() async throws {
        let upstream = try await rawUpstream { socket, head in
            if head.starts(with: "GET /upgrade ") {
                try await socket.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
            } else if head.starts(with: "GET /reset ") {
                try await socket.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                try await Task.sleep(for: .milliseconds(100))
                socket.reset()
            } else if head.starts(with: "GET /reset-large ") {
                try await socket.send("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\npartial")
                try await Task.sleep(for: .milliseconds(100))
                socket.reset()
            } else {
                // Keep-alive implied, then closed silently once the response is out.
                try await socket.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nonce")
                try await Task.sleep(for: .milliseconds(50))
                socket.close()
            }
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let upgrade = try await RawSocket.connect(base)
            try await upgrade.send(
                "GET /upgrade HTTP/1.1\r\nHost: gateway.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            #expect(await upgrade.waitFor("upstream-protocol-error"))
            #expect(upgrade.text.hasPrefix("HTTP/1.1 502 "))

            // A small body is read whole before it is forwarded: cut short, it is a 502 the page can read.
            let reset = try await RawSocket.connect(base)
            try await reset.send("GET /reset HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await reset.waitFor("upstream-closed"), "\(reset.text)")
            #expect(reset.text.hasPrefix("HTTP/1.1 502 "))
            // A large one streams: cut short, it is cut for the client too.
            let resetLarge = try await RawSocket.connect(base)
            try await resetLarge.send("GET /reset-large HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await resetLarge.waitForClose(), "a cut response is cut for the client too")
            #expect(resetLarge.text.hasPrefix("HTTP/1.1 200 ") && !resetLarge.text.contains("\r\n0\r\n\r\n"))

            for round in 0..<3 {
                let client = try await RawSocket.connect(base)
                try await client.send("GET /plain HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
                #expect(await client.waitFor("\r\n\r\nonce"), "round \(round): a stale pooled connection is retried")
                try await Task.sleep(for: .milliseconds(150))
            }
            try await expectServes(base)
        }
        try await upstream.shutdown()
    }

    /// A length written twice ("3, 3", valid by RFC 9110 §8.6) goes on as one number both ways, and never beside
    /// `Transfer-Encoding`: not every reader takes the list form.
    @Test func aRepeatedLengthIsForwardedAsOneNumber() async throws {
        let upstream = try await rawUpstream { socket, head in
            let forwarded = String(decoding: head, as: UTF8.self).lowercased()
            let body = await socket.read(count: 3, seconds: 10)
            let asOne = forwarded.contains("content-length: 3\r\n") && !forwarded.contains("3, 3")
            let answer = asOne && body == Array("abc".utf8) ? "ok" : "no"
            try await socket.send("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n" + answer)
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send("POST /n HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 3, 3\r\n\r\nabc")
            #expect(await client.waitFor("\r\n\r\nok"), "\(client.text)")
            let text = client.text.lowercased()
            #expect(text.contains("content-length: 2\r\n") && !text.contains("2, 2"), "\(client.text)")
            #expect(!text.contains("transfer-encoding"), "\(client.text)")
            client.close()
        }
        try await upstream.shutdown()
    }

    /// RFC 9110 §8.6: a 204 never carries `Content-Length`, even when the upstream sent one; the connection goes on.
    @Test func aNoContentAnswerLosesItsLength() async throws {
        let upstream = try await rawUpstream { socket, _ in
            try await socket.send("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nX-Kept: yes\r\n\r\n")
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send("DELETE /d HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await client.waitFor("\r\n\r\n"), "\(client.text)")
            let text = client.text.lowercased()
            #expect(text.hasPrefix("http/1.1 204 ") && text.contains("x-kept: yes"), "\(client.text)")
            #expect(!text.contains("content-length"), "\(client.text)")
            client.close()
        }
        try await upstream.shutdown()
    }

    /// HTTP/1.1 as clients use it: pipelined requests answered in order, `Expect: 100-continue` answered when the
    /// body is wanted, HTTP/1.0 without keep-alive.
    @Test func pipeliningContinueAndHTTP10() async throws {
        let upstream = try await ScriptedServer.start { request in
            ScriptedResponse(200, [], body: "\(request.method) \(request.target) \(request.bodyCount)")
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let pipelined = try await RawSocket.connect(base)
            try await pipelined.send(
                (1...3).map { "GET /\($0) HTTP/1.1\r\nHost: gateway.test\r\n\r\n" }.joined()
                    + "POST /4 HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
            #expect(await pipelined.waitForClose())
            let bodies = ["GET /1 0", "GET /2 0", "GET /3 0", "POST /4 3"]
            let positions = bodies.map { pipelined.text.firstRange(of: $0)?.lowerBound }
            #expect(
                positions.allSatisfy { $0 != nil } && positions == positions.sorted { $0! < $1! }, "\(pipelined.text)")

            let expecting = try await RawSocket.connect(base)
            try await expecting.send(
                "PUT /e HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(await expecting.waitFor("HTTP/1.1 100 Continue\r\n\r\n"))
            try await expecting.send("hello")
            #expect(await expecting.waitFor("PUT /e 5"))

            // HEAD: the Content-Length of the representation, no body, and the connection goes on.
            let head = try await RawSocket.connect(base)
            try await head.send(
                "HEAD /h HTTP/1.1\r\nHost: gateway.test\r\n\r\nGET /after HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await head.waitFor("GET /after 0"))
            #expect(head.text.hasPrefix("HTTP/1.1 200 ") && head.text.contains("content-length: 9\r\n"), "\(head.text)")
            #expect(!head.text.contains("HEAD /h"), "no body for HEAD")

            let old = try await RawSocket.connect(base)
            try await old.send("GET /old HTTP/1.0\r\n\r\n")
            #expect(await old.waitForClose())
            #expect(
                old.text.hasPrefix("HTTP/1.1 200 ") && old.text.contains("Connection: close")
                    && old.text.hasSuffix("GET /old 0"))
        }
        try await upstream.shutdown()
    }
}
