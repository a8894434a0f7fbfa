import CORSClient
import CORSCore
import CORSHummingbird
import CORSTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

let app = "https://app.example.com"
let evil = "https://evil.example"

/// Runs a live Hummingbird server on 127.0.0.1 built by `configure`, and gives `body` its base URL.
func withServer(
    _ configure: (Router<BasicRequestContext>) -> Void,
    _ body: @Sendable (String, any TestClientProtocol) async throws -> Void
) async throws {
    let router = Router()
    configure(router)
    let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await application.test(.live) { client in
        try await body("http://127.0.0.1:\(client.port!)", client)
    }
}

/// The routes every test app has: a list, a handler with its own Vary, a thrown error, and a real OPTIONS route.
func addRoutes(_ router: some RouterMethods<BasicRequestContext>) {
    router.get("/items") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "application/json", .init("X-Total-Count")!: "3"])
    }
    router.put("/items") { _, _ in "updated" }
    router.get("/vary") { _, _ -> Response in Response(status: .ok, headers: [.vary: "Accept-Encoding"]) }
    router.get("/fail") { _, _ -> Response in throw HTTPError(.badRequest, message: "no") }
    router.get("/crash") { _, _ -> Response in throw CancellationError() }
    router.on("/options", method: .options) { _, _ in "handled by the route" }
}

let policy = try! CORSPolicy(
    allowOrigins: [app, "http://localhost:*"], allowMethods: ["PUT", "DELETE"],
    allowHeaders: ["authorization", "content-type", "x-request-id"], exposeHeaders: ["x-total-count"],
    allowCredentials: true, maxAge: 600)

@Suite("CORSHummingbird: CORSPolicyMiddleware over loopback, judged by the browser model")
struct HummingbirdMiddlewareTests {
    static func ours(_ router: Router<BasicRequestContext>) {
        router.add(middleware: CORSPolicyMiddleware(policy))
        addRoutes(router)
    }

    @Test func aBrowserAllowsExactlyWhatThePolicySays() async throws {
        try await withServer(Self.ours) { base, _ in
            let read = await browserFetch(base + "/items", from: app, credentials: .include)
            #expect(read.result.isReadable)
            #expect(read.result.readableHeaderNames.contains("x-total-count"))
            let put = await browserFetch(
                base + "/items", from: app, method: "PUT",
                headers: [("Content-Type", "application/json"), ("X-Request-ID", "1")],
                credentials: .include)
            #expect(put.result.isReadable && put.preflightStatus == 204)
            #expect(put.body.map { String(decoding: $0, as: UTF8.self) } == "updated")
            let local = await browserFetch(base + "/items", from: "http://localhost:5173", credentials: .include)
            #expect(local.result.isReadable)

            #expect(await browserFetch(base + "/items", from: evil).result.failure == .missingAllowOrigin)
            #expect(
                await browserFetch(base + "/items", from: evil, method: "PUT").result.failure
                    == .preflightMissingAllowOrigin)
            let patch = await browserFetch(base + "/items", from: app, method: "PATCH")
            #expect(patch.preflightStatus == 403 && !patch.result.isReadable)
            let header = await browserFetch(base + "/items", from: app, headers: [("X-Other", "1")])
            #expect(header.preflightStatus == 403 && !header.result.isReadable)
        }
    }

    @Test func preflightsWithoutAnOptionsRouteAreAnswered() async throws {
        try await withServer(Self.ours) { base, _ in
            let outcome = await browserFetch(base + "/no/such/route", from: app, method: "DELETE")
            #expect(outcome.preflightStatus == 204)
            #expect(outcome.result.status == 404 && outcome.result.isReadable, "the 404 itself is readable")
        }
    }

    @Test func errorResponsesCarryCORSFields() async throws {
        try await withServer(Self.ours) { base, _ in
            let thrown = await browserFetch(base + "/fail", from: app, credentials: .include)
            #expect(thrown.result.isReadable && thrown.result.status == 400)
            let crash = await browserFetch(base + "/crash", from: app)
            #expect(crash.result.isReadable && crash.result.status == 500)
        }
    }

    @Test func handlerVaryAndNonPreflightOptionsSurvive() async throws {
        try await withServer(Self.ours) { base, client in
            let vary = await browserFetch(base + "/vary", from: app)
            #expect(vary.received("Vary") == ["Accept-Encoding", "Origin"])
            // OPTIONS with Origin but no Access-Control-Request-Method is not a preflight: the route answers it.
            try await client.execute(uri: "/options", method: .options, headers: [.origin: app]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "handled by the route")
                #expect(response.headers[.accessControlAllowOrigin] == app)
            }
            try await client.execute(
                uri: "/options", method: .options, headers: [.origin: app, .accessControlRequestMethod: "PUT"]
            ) { response in
                #expect(response.status == .noContent, "a preflight is answered by the policy")
            }
        }
    }

    @Test func reconfigurationIsAtomicAndRefusesInvalidPolicies() async throws {
        let first = try CORSPolicy(allowOrigins: [app])
        let second = try CORSPolicy(allowOrigins: ["https://other.example.com"])
        let middleware = CORSPolicyMiddleware<BasicRequestContext>(first)
        try await withServer({ router in
            router.add(middleware: middleware)
            addRoutes(router)
        }) { base, _ in
            #expect(throws: CORSPolicyError.self) {
                try middleware.state.reconfigure(CORSPolicy.Configuration(allowOrigins: ["null"]))
            }
            #expect(await browserFetch(base + "/items", from: app).result.isReadable, "the old policy still serves")

            // Flip between two policies while 200 requests run: each response is wholly one policy or the other.
            let client = CORSClient(timeoutSeconds: 10)
            try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    for index in 0..<200 { middleware.state.reconfigure(index.isMultiple(of: 2) ? second : first) }
                    return []
                }
                for _ in 0..<200 {
                    group.addTask {
                        await browserFetch(base + "/items", from: app, client: client).received(
                            "Access-Control-Allow-Origin")
                    }
                }
                for try await values in group {
                    #expect(values == [] || values == [app])
                }
            }
            try await client.shutdown()
            middleware.state.reconfigure(second)
            #expect(await browserFetch(base + "/items", from: "https://other.example.com").result.isReadable)
            #expect(!(await browserFetch(base + "/items", from: app).result.isReadable))
        }
    }

    @Test func debugModeLogsSanitisedReasonsAndNeverRevealsThem() async throws {
        let recorder = LogRecorder()
        let logger = Logger(label: "cors") { _ in recorder }
        try await withServer({ router in
            router.add(middleware: CORSPolicyMiddleware(policy, logger: logger))
            addRoutes(router)
        }) { base, _ in
            let outcome = await browserFetch(base + "/items", from: app, method: "PATCH")
            let body = outcome.result.preflight?.response
            #expect(body?.headerFields[.accessControlAllowOrigin] == nil)
            _ = await browserFetch(base + "/items", from: evil)
        }
        let lines = recorder.messages
        #expect(lines.contains { $0.contains("[method-not-allowed]") && $0.contains("PATCH") })
        #expect(lines.contains { $0.contains("[origin-not-allowed]") && $0.contains("\"https://evil.example\"") })
    }

    /// Issue #13, item 5: route rules and exemptions are judged on one canonical path; a path servers read in
    /// different ways is refused with 400 instead of being judged on one reading and routed on another.
    @Test func ambiguousPathsAreRefusedWith400() async throws {
        let routed = try CORSPolicy(
            json: #"""
                {"allowOrigins":["https://app.example.com"],"allowCredentials":true,
                 "routes":[{"pathPrefix":"/partner/","allowOrigins":["https://partner.example"]}]}
                """#)
        let protection = try CrossOriginProtection(.init(exempt: ["/sso/*"]))
        try await withServer({ router in
            router.add(middleware: CORSPolicyMiddleware(routed))
            router.add(middleware: CrossOriginProtectionMiddleware(protection))
            router.get("/**") { _, _ in "secret" }
            router.post("/**") { _, _ in "transferred" }
        }) { _, client in
            for path in ["/partner/..%2fsecret.txt", "/partner/%2e%2e/secret.txt", "/partner/..;/secret.txt"] {
                try await client.execute(uri: path, method: .get, headers: [.origin: "https://partner.example"]) {
                    response in
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(response.headers[.accessControlAllowOrigin] == nil)
                }
            }
            try await client.execute(uri: "/partner/x", method: .get, headers: [.origin: "https://partner.example"]) {
                #expect($0.status == .ok && $0.headers[.accessControlAllowOrigin] == "https://partner.example")
            }
            for path in ["/sso/..;/admin/transfer", "/sso/..%2Fadmin/transfer", "/sso/..%5Cadmin/transfer"] {
                // A form POST without Origin (Referrer-Policy no-referrer): CORS passes it, the protection judges.
                let headers: HTTPFields = [.init("Sec-Fetch-Site")!: "cross-site"]
                try await client.execute(uri: path, method: .post, headers: headers) { response in
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(String(buffer: response.body).contains("[ambiguous-path]"))
                }
            }
        }
    }
}
