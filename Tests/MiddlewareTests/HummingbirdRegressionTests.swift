import CORSClient
import CORSCore
import CORSHummingbird
import CORSTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Each case Hummingbird's own `CORSMiddleware` (2.28) gets wrong, run side by side with ours and judged by the
/// browser model (the shortcomings of hummingbird-project/hummingbird `Sources/Hummingbird/Middleware/CORSMiddleware.swift`
/// at 2.28.1).
@Suite("CORSHummingbird: regressions against Hummingbird's built-in CORSMiddleware")
struct HummingbirdRegressionTests {
    static func builtIn(_ middleware: CORSMiddleware<BasicRequestContext>) -> (Router<BasicRequestContext>) -> Void {
        { router in
            router.add(middleware: middleware)
            addRoutes(router)
        }
    }

    static func ours(_ policy: CORSPolicy) -> (Router<BasicRequestContext>) -> Void {
        { router in
            router.add(middleware: CORSPolicyMiddleware(policy))
            addRoutes(router)
        }
    }

    /// Built-in: `.all` with credentials is accepted and sends `*` + `true`, which browsers refuse for credentialed
    /// requests, so users "fix" it by reflecting every origin. Ours: refused at construction; a list works.
    @Test func wildcardWithCredentials() async throws {
        try await withServer(Self.builtIn(CORSMiddleware(allowOrigin: .all, allowCredentials: true))) { base, _ in
            let outcome = await browserFetch(base + "/items", from: app, credentials: .include)
            #expect(outcome.result.failure == .wildcardOriginWithCredentials)
        }
        #expect(throws: CORSPolicyError.self) { try CORSPolicy(allowOrigins: ["*"], allowCredentials: true) }
        try await withServer(Self.ours(try CORSPolicy(allowOrigins: [app], allowCredentials: true))) { base, _ in
            #expect(await browserFetch(base + "/items", from: app, credentials: .include).result.isReadable)
        }
    }

    /// Built-in: `exposedHeaders` only reaches preflights, where browsers ignore it. Ours: on actual responses.
    @Test func exposedHeadersOnActualResponses() async throws {
        try await withServer(Self.builtIn(CORSMiddleware(allowOrigin: .originBased, exposedHeaders: ["x-total-count"])))
        {
            base, _ in
            let outcome = await browserFetch(base + "/items", from: app)
            #expect(outcome.result.isReadable)
            #expect(!outcome.result.readableHeaderNames.contains("x-total-count"))
        }
        try await withServer(Self.ours(try CORSPolicy(allowOrigins: [app], exposeHeaders: ["x-total-count"]))) {
            base, _ in
            #expect(await browserFetch(base + "/items", from: app).result.readableHeaderNames.contains("x-total-count"))
        }
    }

    /// Built-in: every OPTIONS with an Origin gets 204 and the allow lists, whatever the origin or method.
    /// Ours: the preflight is checked and refused with 403, without CORS fields.
    @Test func uncheckedPreflights() async throws {
        let builtIn = CORSMiddleware<BasicRequestContext>(allowOrigin: .oneOf(app), allowMethods: [.get, .put])
        try await withServer(Self.builtIn(builtIn)) { base, client in
            let evilPreflight = await browserFetch(base + "/items", from: evil, method: "PUT")
            #expect(evilPreflight.preflightStatus == 204)
            let deletePreflight = await browserFetch(base + "/items", from: app, method: "DELETE")
            #expect(deletePreflight.preflightStatus == 204 && !deletePreflight.result.isReadable)
            // An app's own OPTIONS route is unreachable cross-origin: the middleware swallows it.
            try await client.execute(uri: "/options", method: .options, headers: [.origin: app]) { response in
                #expect(response.status == .noContent)
            }
        }
        try await withServer(Self.ours(try CORSPolicy(allowOrigins: [app], allowMethods: ["PUT"]))) { base, client in
            #expect(await browserFetch(base + "/items", from: evil, method: "PUT").preflightStatus == 403)
            #expect(await browserFetch(base + "/items", from: app, method: "DELETE").preflightStatus == 403)
            #expect(await browserFetch(base + "/items", from: app, method: "PUT").result.isReadable)
            try await client.execute(uri: "/options", method: .options, headers: [.origin: app]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// Built-in: no `Vary` on responses to requests without Origin, so a shared cache can serve that response to a
    /// page that needed CORS fields. Ours: `Vary: Origin` on every response that depends on it.
    @Test func varyWithoutOrigin() async throws {
        try await withServer(Self.builtIn(CORSMiddleware(allowOrigin: .oneOf(app)))) { _, client in
            try await client.execute(uri: "/items", method: .get) { response in
                #expect(response.headers[.vary] == nil)
            }
        }
        try await withServer(Self.ours(try CORSPolicy(allowOrigins: [app]))) { _, client in
            try await client.execute(uri: "/items", method: .get) { response in
                #expect(response.headers[.vary] == "Origin")
            }
            try await client.execute(uri: "/vary", method: .get, headers: [.origin: evil]) { response in
                #expect(
                    response.headers[values: .vary] == ["Accept-Encoding", "Origin"],
                    "kept, and varies for refusals too")
            }
        }
    }

    /// Built-in: group middleware never sees a preflight to a route without OPTIONS: 404. Ours: one router-level
    /// middleware with a path-prefix route policy answers it.
    @Test func groupedRoutesPreflight() async throws {
        try await withServer({ router in
            let group = router.group("api")
            group.add(middleware: CORSMiddleware(allowOrigin: .oneOf(app), allowMethods: [.get, .put]))
            addRoutes(group)
        }) { base, _ in
            let outcome = await browserFetch(base + "/api/items", from: app, method: "PUT")
            #expect(outcome.preflightStatus == 404)
            #expect(outcome.result.failure == .preflightMissingAllowOrigin)
        }
        let scoped = try CORSPolicy(
            allowOrigins: ["https://nobody.example"],
            routes: [.init(pathPrefix: "/api", allowOrigins: [app], allowMethods: ["PUT"])])
        try await withServer({ router in
            router.add(middleware: CORSPolicyMiddleware(scoped))
            addRoutes(router.group("api"))
        }) { base, _ in
            let outcome = await browserFetch(base + "/api/items", from: app, method: "PUT")
            #expect(outcome.preflightStatus == 204 && outcome.result.isReadable)
            #expect(!(await browserFetch(base + "/items", from: app).result.isReadable), "outside the prefix")
        }
    }
}
