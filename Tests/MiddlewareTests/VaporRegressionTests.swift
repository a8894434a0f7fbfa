import CORSClient
import CORSCore
import CORSTestSupport
import CORSVapor
import Testing
import Vapor

/// Each case Vapor's own `CORSMiddleware` (4.122) gets wrong, side by side with ours, judged by the browser model.
@Suite("CORSVapor: regressions against Vapor's built-in CORSMiddleware")
struct VaporRegressionTests {
    static func builtIn(
        _ origin: CORSMiddleware.AllowOriginSetting, credentials: Bool = false,
        at position: Middlewares.Position = .beginning
    ) -> (Application) -> Void {
        { application in
            let configuration = CORSMiddleware.Configuration(
                allowedOrigin: origin, allowedMethods: [.GET, .PUT], allowedHeaders: [.contentType],
                allowCredentials: credentials)
            application.middleware.use(CORSMiddleware(configuration: configuration), at: position)
            addRoutes(application)
        }
    }

    static func ours(_ policy: CORSPolicy) -> (Application) -> Void {
        { application in
            application.useCORS(policy)
            addRoutes(application)
        }
    }

    /// Built-in: `.originBased` (the default) reflects `Origin: null` — sent by sandboxed iframes and `data:` pages,
    /// so by any attacker — with credentials. Ours: `null` is never allowed, and cannot even be configured.
    @Test func reflectedNull() async throws {
        try await withVapor(Self.builtIn(.originBased, credentials: true)) { base in
            let outcome = await browserFetch(base + "/items", from: "null", credentials: .include)
            #expect(outcome.result.isReadable, "an attacker's sandboxed page reads a credentialed response")
        }
        try await withVapor(Self.ours(try CORSPolicy(allowOrigins: [app], allowCredentials: true))) { base in
            #expect(!(await browserFetch(base + "/items", from: "null", credentials: .include).result.isReadable))
        }
        #expect(throws: CORSPolicyError.self) { try CORSPolicy(allowOrigins: ["null"]) }
    }

    /// Built-in: `.all` with credentials sends `*` + `true`, which browsers refuse. Ours: a construction error.
    @Test func wildcardWithCredentials() async throws {
        try await withVapor(Self.builtIn(.all, credentials: true)) { base in
            #expect(
                await browserFetch(base + "/items", from: app, credentials: .include).result.failure
                    == .wildcardOriginWithCredentials)
        }
        #expect(throws: CORSPolicyError.self) { try CORSPolicy(allowOrigins: ["*"], allowCredentials: true) }
    }

    /// Built-in: `.any([...])` never adds `Vary: Origin`, so a shared cache can serve one origin's response to
    /// another. Ours: `Vary: Origin`, for allowed and refused origins alike.
    @Test func varyForAnOriginList() async throws {
        try await withVapor(Self.builtIn(.any([app]))) { base in
            #expect(await browserFetch(base + "/items", from: app).received("Vary") == [])
        }
        try await withVapor(Self.ours(try CORSPolicy(allowOrigins: [app]))) { base in
            #expect(await browserFetch(base + "/items", from: app).received("Vary") == ["Origin"])
            #expect(await browserFetch(base + "/items", from: evil).received("Vary") == ["Origin"])
        }
    }

    /// Built-in: every preflight gets 200 with the allow lists, unchecked. Ours: checked; refused with 403.
    @Test func uncheckedPreflights() async throws {
        try await withVapor(Self.builtIn(.any([app]))) { base in
            #expect(await browserFetch(base + "/items", from: evil, method: "PUT").preflightStatus == 200)
            #expect(await browserFetch(base + "/items", from: app, method: "DELETE").preflightStatus == 200)
        }
        try await withVapor(Self.ours(try CORSPolicy(allowOrigins: [app], allowMethods: ["PUT"]))) { base in
            #expect(await browserFetch(base + "/items", from: evil, method: "PUT").preflightStatus == 403)
            #expect(await browserFetch(base + "/items", from: app, method: "DELETE").preflightStatus == 403)
            #expect(await browserFetch(base + "/items", from: app, method: "PUT").result.isReadable)
        }
    }

    /// Built-in in a route group: a preflight to a route without OPTIONS is a 404. Ours: a path-prefix policy.
    @Test func groupedRoutesPreflight() async throws {
        try await withVapor({ application in
            let configuration = CORSMiddleware.Configuration(
                allowedOrigin: .any([app]), allowedMethods: [.GET, .PUT], allowedHeaders: [.contentType])
            addRoutes(application.grouped("api").grouped(CORSMiddleware(configuration: configuration)))
        }) { base in
            #expect(await browserFetch(base + "/api/items", from: app, method: "PUT").preflightStatus == 404)
        }
        let scoped = try CORSPolicy(
            allowOrigins: ["https://nobody.example"],
            routes: [.init(pathPrefix: "/api", allowOrigins: [app], allowMethods: ["PUT"])])
        try await withVapor({ application in
            application.useCORS(scoped)
            addRoutes(application.grouped("api"))
        }) { base in
            let outcome = await browserFetch(base + "/api/items", from: app, method: "PUT")
            #expect(outcome.preflightStatus == 204 && outcome.result.isReadable)
        }
    }

    /// Built-in installed the default way (after ErrorMiddleware): error responses and 404s carry no CORS fields, so
    /// the page cannot read the error. Ours is always installed first.
    @Test func errorResponses() async throws {
        try await withVapor(Self.builtIn(.any([app]), at: .end)) { base in
            #expect(await browserFetch(base + "/fail", from: app).result.failure == .missingAllowOrigin)
            #expect(await browserFetch(base + "/missing", from: app).result.failure == .missingAllowOrigin)
        }
        try await withVapor(Self.ours(try CORSPolicy(allowOrigins: [app]))) { base in
            #expect(await browserFetch(base + "/fail", from: app).result.status == 400)
            #expect(await browserFetch(base + "/missing", from: app).result.status == 404)
        }
    }

    /// With no `ErrorMiddleware` at all, ours renders a thrown error as Vapor would and still answers it with CORS
    /// fields, so the page can read it (without it, Vapor's server closes with a bare 500).
    @Test func errorResponsesWithoutErrorMiddleware() async throws {
        try await withVapor({ application in
            application.middleware = Middlewares()
            application.useCORS(try CORSPolicy(allowOrigins: [app]))
            addRoutes(application)
        }) { base in
            let thrown = await browserFetch(base + "/fail", from: app)
            #expect(thrown.result.isReadable && thrown.result.status == 400, "\(thrown.result)")
            let missing = await browserFetch(base + "/missing", from: app)
            #expect(missing.result.isReadable && missing.result.status == 404, "\(missing.result)")
            #expect(await browserFetch(base + "/items", from: app).result.isReadable)
        }
    }
}
