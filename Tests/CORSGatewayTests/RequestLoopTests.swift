import CORSGateway
import CORSTestSupport
import Synchronization
import Testing

/// The request loop on one connection: when the gateway's own answers are written, and what a client that leaves
/// gives back.
@Suite("cors serve: one connection's requests")
struct RequestLoopTests {
    /// A preflight is answered from its head, but only once the request has been read to its end: answered
    /// earlier, the connection would have to close (RFC 9112 §9.6) and the request pipelined behind it would be
    /// lost.
    @Test func answersFromTheHeadKeepTheConnection() async throws {
        let upstream = try await rawUpstream { _, _ in }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send(
                "OPTIONS /a HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://app.example.com\r\n"
                    + "Access-Control-Request-Method: GET\r\n\r\n"
                    + "GET /alive HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await client.waitFor("\r\n\r\nalive"), "\(client.text)")
            let preflight = client.text.split(separator: "\r\n\r\n")[0]
            #expect(preflight.hasPrefix("HTTP/1.1 204 "))
            #expect(preflight.contains("Access-Control-Allow-Origin: https://app.example.com"))
            #expect(!preflight.contains("Connection: close"))
            #expect(preflight.contains("\r\nDate: "), "RFC 9110 §6.6.1: a server with a clock dates its answers")
        }
        try await upstream.shutdown()
    }

    /// A request refused from its head while its body is still to come is answered at once; the connection then
    /// closes with the body unread, and nothing pipelined behind it is read.
    @Test func answeredBeforeItsBodyTheConnectionCloses() async throws {
        let upstream = try await rawUpstream { _, _ in }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send(
                "POST /../x HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /alive HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            #expect(await client.waitForClose())
            #expect(client.text.hasPrefix("HTTP/1.1 400 ") && client.text.contains("ambiguous-path"))
            #expect(client.text.contains("Connection: close\r\n"))
            #expect(!client.text.contains("alive"), "the pipelined request was not read")
            try await expectServes(base)
        }
        try await upstream.shutdown()
    }

    /// An answer that says `Connection: close` ends the connection even when the request had no body and asked to
    /// keep it (RFC 9112 §9.6): an ambiguous path is answered that way, and the request pipelined behind it is not
    /// answered.
    @Test func anAnswerThatSaysCloseClosesTheConnection() async throws {
        let upstream = try await rawUpstream { _, _ in }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send(
                "GET /../x HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + "GET /alive HTTP/1.1\r\nHost: gateway.test\r\n\r\n"
            )
            #expect(await client.waitForClose())
            #expect(client.text.hasPrefix("HTTP/1.1 400 ") && client.text.contains("Connection: close\r\n"))
            #expect(!client.text.contains("alive"), "nothing after the closing answer")
            try await expectServes(base)
        }
        try await upstream.shutdown()
    }

    /// A client that leaves while its request waits for the upstream gives the upstream connection back at once
    /// (closed: the upstream got a request whose answer nobody reads). With one connection allowed, the next
    /// client is served long before the upstream timeout.
    @Test func aClientThatLeavesFreesItsUpstreamConnection() async throws {
        let hanging = Mutex(0)
        let upstream = try await rawUpstream { socket, _ in
            hanging.withLock { $0 += 1 }
            _ = await socket.waitForClose(seconds: 20)
        }
        let limits = quickLimits {
            $0.upstreamConnections = 1
            $0.upstreamTimeout = .seconds(20)
        }
        try await withGateway(policy: openPolicy, upstream: upstream.origin, limits: limits) { base in
            let leaving = try await RawSocket.connect(base)
            try await leaving.send("GET /hang HTTP/1.1\r\nHost: gateway.test\r\n\r\n")
            for _ in 0..<500 where hanging.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(hanging.withLock { $0 } == 1)
            leaving.close()
            let start = ContinuousClock.now
            try await expectServes(base)
            // Well before the 20 s upstream timeout would have freed the connection; wide, for a busy machine.
            #expect(ContinuousClock.now - start < .seconds(10))
        }
        try await upstream.shutdown()
    }

    /// The echo service reads a body at once, so `Expect: 100-continue` is answered at once (a client that waits
    /// for the 100 would otherwise wait for nothing).
    @Test func theEchoAsksForTheBody() async throws {
        try await withGateway(policy: openPolicy, upstream: nil, limits: quickLimits()) { base in
            let client = try await RawSocket.connect(base)
            try await client.send(
                "PUT /e HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(await client.waitFor("HTTP/1.1 100 Continue\r\n\r\n"))
            try await client.send("hello")
            #expect(await client.waitFor(#""bodyBytes":5"#), "\(client.text)")
        }
    }

    /// An `https` upstream goes through TLS: one that answers in plain text fails the handshake, and the client
    /// gets a 502 the page can read, at once — not a hang until the upstream timeout.
    @Test func anHTTPSUpstreamThatDoesNotSpeakTLSIsA502() async throws {
        let upstream = try await RawServer.start { socket in
            try await socket.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            socket.close()
        }
        let limits = quickLimits { $0.upstreamTimeout = .seconds(20) }
        let target = "https://127.0.0.1:\(upstream.port)"
        try await withGateway(policy: openPolicy, upstream: target, limits: limits) { base in
            let client = try await RawSocket.connect(base)
            try await client.send("GET /x HTTP/1.1\r\nHost: gateway.test\r\nOrigin: https://app.example.com\r\n\r\n")
            #expect(await client.waitFor(#""error":"upstream-"#, seconds: 10), "\(client.text)")
            #expect(client.text.hasPrefix("HTTP/1.1 502 "))
            #expect(client.text.contains("Access-Control-Allow-Origin: https://app.example.com"))
        }
        try await upstream.shutdown()
    }

    /// The example of RFC 9110 §5.6.7.
    @Test func datesAreIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    /// proc(5)'s `Cpus_allowed` mask: hexadecimal words, the lowest CPU last.
    @Test func allowedCPUsAreCountedFromTheMask() {
        #expect(Gateway.allowedCPUs(status: "Name:\tcors\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n") == 1)
        #expect(Gateway.allowedCPUs(status: "Cpus_allowed:\tf0\n") == 4)
        #expect(Gateway.allowedCPUs(status: "Cpus_allowed:\tffffffff,00000001\n") == 33)
        #expect(Gateway.allowedCPUs(status: "Name:\tcors\n") == nil)
    }
}
