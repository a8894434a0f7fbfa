import CORSClient
import CORSCore
import CORSTestSupport
import CORSVapor
import HTTPTypes
import Logging
import Synchronization
import Testing
import Vapor
import VaporTesting

let app = "https://app.example.com"
let evil = "https://evil.example"

/// Runs a Vapor application on 127.0.0.1, configured by `configure`, and gives `body` its base URL.
func withVapor(
    _ configure: (Application) throws -> Void, _ body: @Sendable (String) async throws -> Void
) async throws {
    let application = try await Application.make(.testing)
    do {
        try configure(application)
        try await application.http.server.shared.start(address: .hostname("127.0.0.1", port: 0))
        let port = application.http.server.shared.localAddress?.port ?? 0
        try await body("http://127.0.0.1:\(port)")
    } catch {
        await application.http.server.shared.shutdown()
        try? await application.asyncShutdown()
        throw error
    }
    await application.http.server.shared.shutdown()
    try await application.asyncShutdown()
}

struct Failure: AbortError {
    var status: HTTPResponseStatus { .badRequest }
    var reason: String { "no" }
}

func addRoutes(_ routes: some RoutesBuilder) {
    routes.get("items") { _ -> Response in
        Response(status: .ok, headers: ["Content-Type": "application/json", "X-Total-Count": "3"])
    }
    routes.put("items") { _ in "updated" }
    routes.get("vary") { _ -> Response in Response(status: .ok, headers: ["Vary": "Accept-Encoding"]) }
    routes.get("fail") { _ -> Response in throw Failure() }
    routes.on(.OPTIONS, "options") { _ in "handled by the route" }
}

let policy = try! CORSPolicy(
    allowOrigins: [app, "http://localhost:*"], allowMethods: ["PUT", "DELETE"],
    allowHeaders: ["authorization", "content-type", "x-request-id"], exposeHeaders: ["x-total-count"],
    allowCredentials: true, maxAge: 600)

@Suite("CORSVapor: CORSPolicyMiddleware over loopback, judged by the browser model")
struct VaporMiddlewareTests {
    static func ours(_ application: Application) {
        application.useCORS(policy)
        addRoutes(application)
    }

    @Test func aBrowserAllowsExactlyWhatThePolicySays() async throws {
        try await withVapor(Self.ours) { base in
            let read = await browserFetch(base + "/items", from: app, credentials: .include)
            #expect(read.result.isReadable && read.result.readableHeaderNames.contains("x-total-count"))
            let put = await browserFetch(
                base + "/items", from: app, method: "PUT", headers: [("Content-Type", "application/json")],
                credentials: .include)
            #expect(put.result.isReadable && put.preflightStatus == 204)
            #expect(await browserFetch(base + "/items", from: evil).result.failure == .missingAllowOrigin)
            #expect(await browserFetch(base + "/items", from: app, method: "PATCH").preflightStatus == 403)
            #expect(
                await browserFetch(base + "/items", from: "null", credentials: .include).result.failure
                    == .missingAllowOrigin)
        }
    }

    @Test func preflightsErrorsAnd404sGetCORSFields() async throws {
        try await withVapor(Self.ours) { base in
            let unknown = await browserFetch(base + "/no/such/route", from: app, method: "DELETE")
            #expect(unknown.preflightStatus == 204 && unknown.result.status == 404 && unknown.result.isReadable)
            let thrown = await browserFetch(base + "/fail", from: app, credentials: .include)
            #expect(thrown.result.isReadable && thrown.result.status == 400)
        }
    }

    @Test func handlerVaryAndNonPreflightOptionsSurvive() async throws {
        try await withVapor(Self.ours) { base in
            #expect(await browserFetch(base + "/vary", from: app).received("Vary") == ["Accept-Encoding", "Origin"])
        }
        try await withApp(configure: { application in Self.ours(application) }) { application in
            try await application.testing().test(.OPTIONS, "options", headers: ["Origin": app]) { response in
                #expect(response.status == .ok && response.body.string == "handled by the route")
                #expect(response.headers.first(name: "Access-Control-Allow-Origin") == app)
            }
        }
    }

    @Test func reconfigurationIsAtomic() async throws {
        let first = try CORSPolicy(allowOrigins: [app])
        let second = try CORSPolicy(allowOrigins: ["https://other.example.com"])
        let box = Mutex<CORSPolicyMiddleware?>(nil)
        try await withVapor({ application in
            box.withLock { $0 = application.useCORS(first) }
            addRoutes(application)
        }) { base in
            let middleware = box.withLock { $0 }!
            #expect(throws: CORSPolicyError.self) {
                try middleware.state.reconfigure(CORSPolicy.Configuration(allowOrigins: []))
            }
            #expect(await browserFetch(base + "/items", from: app).result.isReadable)
            let client = CORSClient(timeoutSeconds: 10)
            try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    for index in 0..<200 { middleware.state.reconfigure(index.isMultiple(of: 2) ? second : first) }
                    return []
                }
                for _ in 0..<100 {
                    group.addTask {
                        await browserFetch(base + "/items", from: app, client: client).received(
                            "Access-Control-Allow-Origin")
                    }
                }
                for try await values in group { #expect(values == [] || values == [app]) }
            }
            try await client.shutdown()
            middleware.state.reconfigure(second)
            #expect(await browserFetch(base + "/items", from: "https://other.example.com").result.isReadable)
        }
    }

    @Test func debugModeLogsWithoutRevealing() async throws {
        let recorder = LogRecorder()
        try await withVapor({ application in
            application.middleware.use(
                CORSPolicyMiddleware(policy, logger: Logger(label: "cors") { _ in recorder }), at: .beginning)
            addRoutes(application)
        }) { base in
            let outcome = await browserFetch(base + "/items", from: app, method: "PATCH")
            #expect(
                outcome.result.preflight?.response?.headerFields.contains(where: { $0.value.contains("method") })
                    == false)
        }
        #expect(recorder.messages.contains { $0.contains("[method-not-allowed]") })
    }
}

@Suite("CORSVapor: CrossOriginProtectionMiddleware")
struct VaporProtectionTests {
    @Test func refusesCrossSiteStateChangesAfterCORS() async throws {
        try await withApp(configure: { application in
            application.useCrossOriginProtection(
                try CrossOriginProtection(.init(trustedOrigins: ["https://partner.example"])))
            application.useCORS(try CORSPolicy(allowOrigins: [app, "https://partner.example"]))
            application.post("transfer") { _ in "moved" }
        }) { application in
            try await application.testing().test(
                .POST, "transfer", headers: ["Origin": app, "Sec-Fetch-Site": "cross-site"]
            ) { response in
                #expect(response.status == .forbidden, "CORS lets app read, not change state")
                #expect(response.body.string.contains("[cross-site-request]"))
                #expect(response.headers.first(name: "Access-Control-Allow-Origin") == app, "the 403 is readable")
                #expect(response.headers[canonicalForm: "Vary"].contains("Sec-Fetch-Site"))
            }
            try await application.testing().test(
                .POST, "transfer", headers: ["Origin": "https://partner.example", "Sec-Fetch-Site": "cross-site"]
            ) { response in
                #expect(response.status == .ok)
            }
            try await application.testing().test(.POST, "transfer", headers: ["Sec-Fetch-Site": "same-origin"]) {
                response in
                #expect(response.status == .ok)
            }
        }
    }

    /// Issue #13, item 5, on Vapor: ambiguous paths are refused with 400 by both middlewares.
    @Test func ambiguousPathsAreRefusedWith400() async throws {
        try await withApp(configure: { application in
            application.useCrossOriginProtection(try CrossOriginProtection(.init(exempt: ["/sso/*"])))
            application.useCORS(
                try CORSPolicy(
                    json: #"""
                        {"allowOrigins":["https://app.example.com"],"allowCredentials":true,
                         "routes":[{"pathPrefix":"/partner/","allowOrigins":["https://partner.example"]}]}
                        """#))
            application.get("**") { _ in "secret" }
            application.post("**") { _ in "transferred" }
        }) { application in
            for path in ["partner/..%2fsecret.txt", "partner/%2e%2e/secret.txt", "partner/..;/secret.txt"] {
                try await application.testing().test(.GET, path, headers: ["Origin": "https://partner.example"]) {
                    response in
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(response.headers.first(name: "Access-Control-Allow-Origin") == nil)
                }
            }
            for path in ["sso/..;/admin/transfer", "sso/..%2Fadmin/transfer", "sso/..%5Cadmin/transfer"] {
                try await application.testing().test(
                    .POST, path, headers: ["Sec-Fetch-Site": "cross-site"]
                ) { response in
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(response.body.string.contains("[ambiguous-path]"))
                }
            }
        }
    }
}
