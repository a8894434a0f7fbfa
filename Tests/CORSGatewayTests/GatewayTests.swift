import AsyncHTTPClient
import CORSClient
import CORSCore
import CORSGateway
import CORSTestSupport
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

let app = "https://app.example.com"
let evil = "https://evil.example"
let policyJSON = """
    {"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowHeaders": ["content-type"],
     "exposeHeaders": ["x-total-count"], "allowCredentials": true, "maxAge": 60}
    """

/// Runs the gateway in-process on 127.0.0.1 and gives `body` its base URL.
func withGateway(
    policy: PolicyFileState, upstream: String?, limits: GatewayLimits = GatewayLimits(),
    forwarding: Forwarding = Forwarding(), services: [any Service] = [], _ body: @Sendable (String) async throws -> Void
) async throws {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let proxy = try upstream.flatMap(UpstreamTarget.init).map {
        try ReverseProxy(upstream: $0, forwarding: forwarding, limits: limits, logger: logger)
    }
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let application = try Gateway.application(
        host: "127.0.0.1", port: 0, state: policy, proxy: proxy, limits: limits, services: services, logger: logger,
        corsLogger: logger
    ) { channel in
        continuation.yield(channel.localAddress?.port ?? 0)
    }
    var configuration = ServiceGroupConfiguration(services: [application], logger: logger)
    configuration.maximumGracefulShutdownDuration = limits.shutdownTimeout
    let group = ServiceGroup(configuration: configuration)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        do {
            try await body("http://127.0.0.1:\(port)")
        } catch {
            await group.triggerGracefulShutdown()
            proxy?.shutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
    proxy?.shutdown()
}

/// Test limits: short enough that a test sees each timeout in about a second.
func quickLimits(_ change: (inout GatewayLimits) -> Void = { _ in }) -> GatewayLimits {
    var limits = GatewayLimits()
    limits.headerTimeout = .seconds(1)
    limits.bodyTimeout = .seconds(1)
    limits.idleTimeout = .seconds(1)
    limits.sendTimeout = .seconds(1)
    limits.lingerTimeout = .milliseconds(300)
    limits.upstreamTimeout = .seconds(2)
    limits.upstreamConnectTimeout = .seconds(1)
    limits.shutdownTimeout = .seconds(2)
    change(&limits)
    return limits
}

@Suite("cors serve: the gateway over loopback")
struct GatewayTests {
    static let state = PolicyFileState(try! PolicyFile(json: policyJSON))

    @Test func echoService() async throws {
        try await withGateway(policy: Self.state, upstream: nil) { base in
            let outcome = await browserFetch(
                base + "/anything?q=1", from: app, method: "PUT", headers: [("Content-Type", "application/json")],
                credentials: .include)
            #expect(outcome.result.isReadable && outcome.preflightStatus == 204)
            let body = String(decoding: outcome.body ?? [], as: UTF8.self)
            let echo = try #require(jsonObject(body))
            #expect(echo["method"] as? String == "PUT" && echo["path"] as? String == "/anything")
            #expect(echo["query"] as? String == "q=1" && echo["bodyBytes"] as? Int == 0)
            #expect(await browserFetch(base + "/", from: evil).result.failure == .missingAllowOrigin)
        }
    }

    @Test func proxiesWithThePolicyInCharge() async throws {
        let upstream = try await ScriptedServer.start { request in
            if request.target == "/api/error" {
                return ScriptedResponse(500, [("Content-Type", "text/plain")], body: "boom")
            }
            return ScriptedResponse(
                200,
                [
                    ("Access-Control-Allow-Origin", "*"), ("X-Total-Count", "7"), ("Connection", "close, x-private"),
                    ("X-Private", "hop"), ("Keep-Alive", "timeout=5"),
                ], body: "items")
        }
        try await withGateway(policy: Self.state, upstream: upstream.origin + "/api") { base in
            let read = await browserFetch(base + "/items?page=2", from: app, credentials: .include)
            #expect(read.result.isReadable && read.body == Array("items".utf8))
            #expect(read.result.readableHeaderNames.contains("x-total-count"))
            #expect(read.received("Access-Control-Allow-Origin") == [app], "the upstream's `*` is replaced")
            #expect(read.received("X-Private").isEmpty && read.received("Keep-Alive").isEmpty, "hop-by-hop dropped")

            let put = await browserFetch(
                base + "/items", from: app, method: "PUT", headers: [("Content-Type", "application/json")])
            #expect(put.result.isReadable)
            let error = await browserFetch(base + "/error", from: app)
            #expect(error.result.isReadable && error.result.status == 500, "the upstream's errors are readable")
            #expect(await browserFetch(base + "/items", from: evil).result.failure == .missingAllowOrigin)
        }
        try await upstream.shutdown()
        let requests = upstream.requests
        #expect(!requests.contains { $0.method == "OPTIONS" }, "preflights are answered by the gateway")
        let first = try #require(requests.first)
        #expect(first.target == "/api/items?page=2")
        #expect(first.headerFields[.origin] == app)
        #expect(first.headerFields[values: .init("X-Forwarded-For")!] == ["127.0.0.1"])
        #expect(first.headerFields[.init("X-Forwarded-Proto")!] == "http")
        #expect(first.headerFields[.init("Forwarded")!]?.hasPrefix("for=127.0.0.1;host=\"127.0.0.1:") == true)
    }

    @Test func upstreamDownOrSlowGivesAReadableError() async throws {
        // Nothing listens on port 1 (a freed ephemeral port could be taken by the gateway itself).
        try await withGateway(policy: Self.state, upstream: "http://127.0.0.1:1") { base in
            let outcome = await browserFetch(base + "/items", from: app, credentials: .include)
            #expect(
                outcome.result.isReadable && outcome.result.status == 502,
                "\(outcome.result.status) \(outcome.result.failure?.code ?? "")")
        }
        let slow = try await ScriptedServer.start { _ in ScriptedResponse(200, [], bytes: Array("late".utf8), delay: 4)
        }
        try await withGateway(policy: Self.state, upstream: slow.origin, limits: quickLimits()) { base in
            let outcome = await browserFetch(base + "/items", from: app)
            #expect(
                outcome.result.isReadable && outcome.result.status == 504,
                "\(outcome.result.status) \(outcome.body.map { String(decoding: $0, as: UTF8.self) } ?? "")")
        }
        try await slow.shutdown()
    }

    /// 2,000 requests from 16 clients while the policy file is rewritten ten times — once with an invalid policy —
    /// and reloaded: none fails, and each response is wholly one valid policy's.
    @Test func reloadUnderLoadLosesNothing() async throws {
        let path = "/tmp/cors-gateway-reload-\(UInt32.random(in: 0...UInt32.max)).json"
        try writeFile(path, policyJSON)
        let state = PolicyFileState(try PolicyFile(contentsOf: path))
        var logger = Logger(label: "reload")
        logger.logLevel = .critical
        let reloader = PolicyReloader(path: path, state: state, logger: logger, interval: .milliseconds(20))
        let counts = Mutex((served: 0, failed: 0))
        try await withGateway(policy: state, upstream: nil, services: [reloader]) { base in
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let tally = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                group.addTask {
                    for round in 0..<10 {
                        try await Task.sleep(for: .milliseconds(50))
                        let exposed = round.isMultiple(of: 2) ? "x-a" : "x-b"
                        let text =
                            round == 5
                            ? #"{"allowOrigins": ["null"]}"#
                            : policyJSON.replacing("x-total-count", with: exposed)
                        try writeFile(path, text)
                    }
                    return (0, 0)
                }
                for _ in 0..<16 {
                    group.addTask {
                        var served = 0
                        var failed = 0
                        for _ in 0..<125 {
                            var request = HTTPClientRequest(url: base + "/load")
                            request.headers.add(name: "Origin", value: app)
                            let response = try await client.execute(request, timeout: .seconds(10))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            let allowed = response.headers["Access-Control-Allow-Origin"] == [app]
                            if response.status.code == 200 && allowed { served += 1 } else { failed += 1 }
                        }
                        return (served, failed)
                    }
                }
                var total = (0, 0)
                for try await (served, failed) in group { total = (total.0 + served, total.1 + failed) }
                return total
            }
            counts.withLock { $0 = (tally.0, tally.1) }
            try await client.shutdown()
        }
        let (served, failed) = counts.withLock { $0 }
        #expect(failed == 0)
        #expect(served == 2000)
        #expect(state.file.policy.configuration.exposeHeaders == ["x-b"], "the last valid file is in force")
    }
}

func writeFile(_ path: String, _ text: String) throws {
    guard let file = fopen(path + ".tmp", "w") else { throw CancellationError() }
    fputs(text, file)
    fclose(file)
    rename(path + ".tmp", path)
}
