// The hello-world app that cors-bench-server serves and cors-middleware-bench calls in process (scripts/bench-http.sh),
// written once so that both measure the same thing: `GET /hello` answering "hello", behind one of five variants —
// no middleware (`none`), one that only calls the next responder (`pass`), one that adds the allowed answer's two
// fields without deciding anything (`fields`: the floor of any CORS middleware), the framework's built-in CORS
// middleware (`builtin`) and swift-cors's (`ours`), all for the one origin `trustedOrigin`.
import CORSCore
import CORSHummingbird
import CORSVapor
public import Hummingbird
public import Vapor

public enum BenchApp {
    public static let variants = ["none", "pass", "fields", "builtin", "ours"]
    public static let trustedOrigin = "https://app.example.com"
    static let policy = try! CORSPolicy(
        allowOrigins: [trustedOrigin], allowMethods: ["PUT"], allowHeaders: ["content-type"], maxAge: 600)

    /// A Hummingbird router with the variant's middleware and the route.
    public static func hummingbirdRouter(_ variant: String) -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router()
        switch variant {
        case "pass": router.add(middleware: PassMiddleware(fields: [:]))
        case "fields":
            router.add(middleware: PassMiddleware(fields: [.accessControlAllowOrigin: trustedOrigin, .vary: "Origin"]))
        case "builtin":
            router.add(
                middleware: Hummingbird.CORSMiddleware(allowOrigin: .oneOf(trustedOrigin), allowMethods: [.get, .put]))
        case "ours": router.add(middleware: CORSHummingbird.CORSPolicyMiddleware(policy))
        default: break
        }
        router.get("/hello") { _, _ in "hello" }
        return router
    }

    /// Installs the variant's middleware and the route in a Vapor application.
    public static func configure(_ app: Vapor.Application, variant: String) {
        switch variant {
        case "pass": app.middleware.use(VaporPassMiddleware(fields: [:]), at: .beginning)
        case "fields":
            let fields: HTTPHeaders = ["Access-Control-Allow-Origin": trustedOrigin, "Vary": "Origin"]
            app.middleware.use(VaporPassMiddleware(fields: fields), at: .beginning)
        case "builtin":
            let configuration = CORSMiddleware.Configuration(
                allowedOrigin: .any([trustedOrigin]), allowedMethods: [.GET, .PUT], allowedHeaders: [.contentType])
            app.middleware.use(CORSMiddleware(configuration: configuration), at: .beginning)
        case "ours": app.useCORS(policy)
        default: break
        }
        app.get("hello") { _ in "hello" }
    }
}

/// In Hummingbird: calls the next responder and adds fixed fields to its response, deciding nothing.
struct PassMiddleware<Context: RequestContext>: RouterMiddleware {
    let fields: HTTPFields

    func handle(
        _ request: Hummingbird.Request, context: Context,
        next: (Hummingbird.Request, Context) async throws -> Hummingbird.Response
    ) async throws -> Hummingbird.Response {
        var response = try await next(request, context)
        if !fields.isEmpty { response.headers.append(contentsOf: fields) }
        return response
    }
}

/// The same in Vapor, with futures (as `CORSVapor` is written: an `AsyncMiddleware` costs a task hop per request).
struct VaporPassMiddleware: Vapor.Middleware {
    let fields: HTTPHeaders

    func respond(to request: Vapor.Request, chainingTo next: any Vapor.Responder) -> EventLoopFuture<Vapor.Response> {
        next.respond(to: request).map { response in
            if !fields.isEmpty { response.headers.add(contentsOf: fields) }
            return response
        }
    }
}
