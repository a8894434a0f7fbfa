import CORSClient
import CORSCore
import CORSTestSupport
import HTTPTypes
import Logging
import Synchronization
import Testing

let app = "https://app.example.com"
let evil = "https://evil.example"

let policy = try! CORSPolicy(
    allowOrigins: [app, "http://localhost:*"], allowMethods: ["PUT", "DELETE"],
    allowHeaders: ["authorization", "content-type", "x-request-id"], exposeHeaders: ["x-total-count"],
    allowCredentials: true, maxAge: 600)

/// Sends `request` byte for byte on a new connection and returns the answer's status line and header section.
func raw(_ base: String, _ request: String) async throws -> String {
    let socket = try await RawSocket.connect(base)
    try await socket.send(request)
    _ = await socket.waitFor("\r\n\r\n")
    socket.close()
    return socket.text
}

/// One suite for both frameworks' middlewares: the same app, the same scenarios, judged by the browser model.
@Suite("CORSPolicyMiddleware and CrossOriginProtectionMiddleware on Hummingbird 2 and Vapor 4")
struct MiddlewareTests {
    @Test(arguments: Framework.allCases)
    func aBrowserAllowsExactlyWhatThePolicySays(framework: Framework) async throws {
        try await framework.run(cors: CORSPolicyState(policy)) { base in
            let read = await browserFetch(base + "/items", from: app, credentials: .include)
            #expect(read.result.isReadable)
            #expect(read.result.readableHeaderNames.contains("x-total-count"))
            let put = await browserFetch(
                base + "/items", from: app, method: "PUT",
                headers: [("Content-Type", "application/json"), ("X-Request-ID", "1")], credentials: .include)
            #expect(put.result.isReadable && put.preflightStatus == 204)
            #expect(put.body.map { String(decoding: $0, as: UTF8.self) } == "updated")
            let local = await browserFetch(base + "/items", from: "http://localhost:5173", credentials: .include)
            #expect(local.result.isReadable)

            #expect(await browserFetch(base + "/items", from: evil).result.failure == .missingAllowOrigin)
            #expect(
                await browserFetch(base + "/items", from: evil, method: "PUT").result.failure
                    == .preflightMissingAllowOrigin)
            #expect(
                await browserFetch(base + "/items", from: "null", credentials: .include).result.failure
                    == .missingAllowOrigin)
            let patch = await browserFetch(base + "/items", from: app, method: "PATCH")
            #expect(patch.preflightStatus == 403 && !patch.result.isReadable)
            let header = await browserFetch(base + "/items", from: app, headers: [("X-Other", "1")])
            #expect(header.preflightStatus == 403 && !header.result.isReadable)
        }
    }

    /// Preflights to paths with no route are answered; 404s, thrown errors and crashes carry the CORS fields.
    @Test(arguments: Framework.allCases)
    func preflightsErrorsAnd404sGetCORSFields(framework: Framework) async throws {
        try await framework.run(cors: CORSPolicyState(policy)) { base in
            let unknown = await browserFetch(base + "/no/such/route", from: app, method: "DELETE")
            #expect(unknown.preflightStatus == 204)
            #expect(unknown.result.status == 404 && unknown.result.isReadable, "the 404 itself is readable")
            let thrown = await browserFetch(base + "/fail", from: app, credentials: .include)
            #expect(thrown.result.isReadable && thrown.result.status == 400)
            let crash = await browserFetch(base + "/crash", from: app)
            #expect(crash.result.isReadable && crash.result.status == 500)
        }
    }

    /// The handler's `Vary` is kept; `OPTIONS` without `Access-Control-Request-Method` is the route's to answer.
    @Test(arguments: Framework.allCases)
    func handlerVaryAndNonPreflightOptionsSurvive(framework: Framework) async throws {
        try await framework.run(cors: CORSPolicyState(policy)) { base in
            #expect(await browserFetch(base + "/vary", from: app).received("Vary") == ["Accept-Encoding", "Origin"])
            let options = try await raw(base, "OPTIONS /options HTTP/1.1\r\nHost: t\r\nOrigin: \(app)\r\n\r\n")
            #expect(options.hasPrefix("HTTP/1.1 200 "), "\(options)")
            #expect(options.lowercased().contains("access-control-allow-origin: \(app)"))
            let preflight = try await raw(
                base,
                "OPTIONS /options HTTP/1.1\r\nHost: t\r\nOrigin: \(app)\r\nAccess-Control-Request-Method: PUT\r\n\r\n")
            #expect(preflight.hasPrefix("HTTP/1.1 204 "), "a preflight is answered by the policy")
        }
    }

    /// `state.reconfigure` swaps the policy atomically; an invalid one throws and the old one keeps serving.
    @Test(arguments: Framework.allCases)
    func reconfigurationIsAtomicAndRefusesInvalidPolicies(framework: Framework) async throws {
        let first = try CORSPolicy(allowOrigins: [app])
        let second = try CORSPolicy(allowOrigins: ["https://other.example.com"])
        let state = CORSPolicyState(first)
        try await framework.run(cors: state) { base in
            #expect(throws: CORSPolicyError.self) {
                try state.reconfigure(CORSPolicy.Configuration(allowOrigins: ["null"]))
            }
            #expect(await browserFetch(base + "/items", from: app).result.isReadable, "the old policy still serves")
            // Flip between two policies while 200 requests run: each response is wholly one policy or the other.
            let client = CORSClient(timeoutSeconds: 10)
            try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    for index in 0..<200 { state.reconfigure(index.isMultiple(of: 2) ? second : first) }
                    return []
                }
                for _ in 0..<200 {
                    group.addTask {
                        await browserFetch(base + "/items", from: app, client: client).received(
                            "Access-Control-Allow-Origin")
                    }
                }
                for try await values in group { #expect(values == [] || values == [app]) }
            }
            try await client.shutdown()
            state.reconfigure(second)
            #expect(await browserFetch(base + "/items", from: "https://other.example.com").result.isReadable)
            #expect(!(await browserFetch(base + "/items", from: app).result.isReadable))
        }
    }

    /// Refusals are logged with their reason code, values escaped, and never put in a response.
    @Test(arguments: Framework.allCases)
    func refusalsAreLoggedNeverRevealed(framework: Framework) async throws {
        let recorder = LogRecorder()
        let logger = Logger(label: "cors") { _ in recorder }
        try await framework.run(cors: CORSPolicyState(policy), logger: logger) { base in
            let outcome = await browserFetch(base + "/items", from: app, method: "PATCH")
            let preflight = outcome.result.preflight?.response
            #expect(preflight?.headerFields[.accessControlAllowOrigin] == nil)
            #expect(preflight?.headerFields.contains { $0.value.contains("method") } == false)
            _ = await browserFetch(base + "/items", from: evil)
        }
        let lines = recorder.messages
        #expect(lines.contains { $0.contains("[method-not-allowed]") && $0.contains("PATCH") })
        #expect(lines.contains { $0.contains("[origin-not-allowed]") && $0.contains("\"https://evil.example\"") })
    }

    /// CORS lets an origin read; only the protection's trusted origins may change state.
    @Test(arguments: Framework.allCases)
    func protectionRefusesCrossSiteStateChangesAfterCORS(framework: Framework) async throws {
        let protection = try CrossOriginProtection(.init(trustedOrigins: ["https://partner.example"]))
        let cors = CORSPolicyState(try CORSPolicy(allowOrigins: [app, "https://partner.example"]))
        try await framework.run(cors: cors, protection: protection) { base in
            let forged = try await raw(
                base,
                "POST /transfer HTTP/1.1\r\nHost: t\r\nOrigin: \(app)\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\n\r\n"
            ).lowercased()
            #expect(forged.hasPrefix("http/1.1 403 "), "CORS lets app read, not change state: \(forged)")
            #expect(forged.contains("access-control-allow-origin: \(app)"), "the 403 is readable")
            #expect(forged.contains("sec-fetch-site"))
            let trusted = try await raw(
                base,
                "POST /transfer HTTP/1.1\r\nHost: t\r\nOrigin: https://partner.example\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\n\r\n"
            )
            #expect(trusted.hasPrefix("HTTP/1.1 200 "))
            let own = try await raw(
                base, "POST /transfer HTTP/1.1\r\nHost: t\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 0\r\n\r\n")
            #expect(own.hasPrefix("HTTP/1.1 200 "))
        }
    }

    /// Issue #13, item 5: route rules and exemptions are judged on one canonical path; a path servers read in
    /// different ways is refused with 400 instead of being judged on one reading and routed on another.
    @Test(arguments: Framework.allCases)
    func ambiguousPathsAreRefusedWith400(framework: Framework) async throws {
        let routed = try CORSPolicy(
            json: #"""
                {"allowOrigins":["https://app.example.com"],"allowCredentials":true,
                 "routes":[{"pathPrefix":"/partner/","allowOrigins":["https://partner.example"]}]}
                """#)
        let protection = try CrossOriginProtection(.init(exempt: ["/sso/*"]))
        try await framework.run(cors: CORSPolicyState(routed), protection: protection) { base in
            for path in ["/partner/..%2fsecret.txt", "/partner/%2e%2e/secret.txt", "/partner/..;/secret.txt"] {
                let answer = try await raw(
                    base, "GET \(path) HTTP/1.1\r\nHost: t\r\nOrigin: https://partner.example\r\n\r\n")
                #expect(answer.hasPrefix("HTTP/1.1 400 "), "\(path): \(answer)")
                #expect(!answer.lowercased().contains("access-control-allow-origin"))
            }
            // A form POST without Origin (Referrer-Policy no-referrer): CORS passes it, the protection judges.
            for path in ["/sso/..;/admin/transfer", "/sso/..%2Fadmin/transfer", "/sso/..%5Cadmin/transfer"] {
                let socket = try await RawSocket.connect(base)
                try await socket.send(
                    "POST \(path) HTTP/1.1\r\nHost: t\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\n\r\n")
                #expect(await socket.waitFor("[ambiguous-path]"), "\(path)")
                #expect(socket.text.hasPrefix("HTTP/1.1 400 "), "\(path)")
                socket.close()
            }
        }
    }

    /// Issue #17, item 2: a route with `cors: false` reaches its handler with no CORS field, and its preflights get 403.
    @Test(arguments: Framework.allCases)
    func aRouteWithCORSOff(framework: Framework) async throws {
        let policy = try CORSPolicy(
            json: #"""
                {"allowOrigins":["https://app.example.com"],"routes":[{"pathPrefix":"/internal/","cors":false}]}
                """#)
        try await framework.run(cors: CORSPolicyState(policy), protection: nil) { base in
            let actual = try await raw(
                base, "GET /internal/x HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example.com\r\n\r\n")
            #expect(actual.hasPrefix("HTTP/1.1 200 ") || actual.hasPrefix("HTTP/1.1 404 "), "\(actual)")
            #expect(!actual.lowercased().contains("access-control-"), "\(actual)")
            #expect(!actual.lowercased().contains("vary: origin"), "\(actual)")
            let preflight = try await raw(
                base,
                "OPTIONS /internal/x HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example.com\r\n"
                    + "Access-Control-Request-Method: PUT\r\n\r\n")
            #expect(preflight.hasPrefix("HTTP/1.1 403 "), "\(preflight)")
            #expect(!preflight.lowercased().contains("access-control-"), "\(preflight)")
            let elsewhere = try await raw(
                base, "GET /x HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example.com\r\n\r\n")
            #expect(elsewhere.lowercased().contains("access-control-allow-origin: https://app.example.com"))
        }
    }

    /// Issue #17, item 1: origins from a store, asked once per origin through the cache, held to the credentials
    /// rules, and refused (with a warning logged) when the store fails.
    @Test(arguments: Framework.allCases)
    func originsFromAStore(framework: Framework) async throws {
        let policy = try CORSPolicy(allowOrigins: ["https://app.example.com"], allowCredentials: true)
        let store = TenantStore(["https://tenant.example", "http://plain.example"])
        let source = CachedOriginSource(store, capacity: 100, timeToLive: .seconds(60))
        try await framework.run(cors: CORSPolicyState(policy), originSource: source) { base in
            for _ in 0..<5 {
                let answer = try await raw(
                    base, "GET /x HTTP/1.1\r\nHost: t\r\nOrigin: https://tenant.example\r\n\r\n")
                #expect(answer.lowercased().contains("access-control-allow-origin: https://tenant.example"))
                #expect(answer.lowercased().contains("access-control-allow-credentials: true"))
                let stranger = try await raw(
                    base, "GET /x HTTP/1.1\r\nHost: t\r\nOrigin: https://stranger.example\r\n\r\n")
                #expect(!stranger.lowercased().contains("access-control-allow-origin"))
                #expect(stranger.lowercased().contains("vary: origin"))
            }
            let plain = try await raw(
                base, "GET /x HTTP/1.1\r\nHost: t\r\nOrigin: http://plain.example\r\n\r\n")
            #expect(!plain.lowercased().contains("access-control-allow-origin"), "insecure with credentials")
            let listed = try await raw(
                base, "GET /x HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example.com\r\n\r\n")
            #expect(listed.lowercased().contains("access-control-allow-origin: https://app.example.com"))
        }
        #expect(store.queries == ["https://tenant.example", "https://stranger.example"], "one query per origin")
        print("origin source (\(framework)): 11 CORS requests, \(store.queries.count) store queries")

        let recorder = LogRecorder()
        let broken = TenantStore(["https://tenant.example"], failing: true)
        let logger = Logger(label: "cors") { _ in recorder }
        try await framework.run(cors: CORSPolicyState(policy), originSource: broken, logger: logger) { base in
            let answer = try await raw(
                base, "GET /x HTTP/1.1\r\nHost: t\r\nOrigin: https://tenant.example\r\n\r\n")
            #expect(!answer.lowercased().contains("access-control-allow-origin"))
        }
        #expect(recorder.messages.contains { $0.contains("CORS origin source failed, origin refused") })
    }
}

/// A customers' store for the middleware tests: a set of origins, counting queries.
final class TenantStore: OriginSource {
    let allowed: Set<String>
    let failing: Bool
    private let asked = Mutex<[String]>([])

    init(_ allowed: Set<String>, failing: Bool = false) {
        self.allowed = allowed
        self.failing = failing
    }

    var queries: [String] { asked.withLock { $0 } }

    func allows(_ origin: Origin) async throws -> Bool {
        asked.withLock { $0.append(origin.serialization) }
        if failing { throw CancellationError() }
        return allowed.contains(origin.serialization)
    }
}
