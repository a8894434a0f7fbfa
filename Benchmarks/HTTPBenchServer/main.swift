// The hello-world app of scripts/bench-http.sh: `cors-bench-server hummingbird|vapor none|builtin|ours PORT`.
// Two more variants give the floor of any CORS middleware in each framework: `pass` (a middleware that only calls
// the next responder) and `fields` (one that adds the two fields of an allowed answer, fixed, without deciding).
import BenchMiddleware
import CORSCore
import CORSHummingbird
import CORSVapor
import Hummingbird
import Vapor

let arguments = CommandLine.arguments
let framework = arguments.count > 1 ? arguments[1] : "hummingbird"
let middleware = arguments.count > 2 ? arguments[2] : "none"
let port = arguments.count > 3 ? Int(arguments[3]) ?? 8080 : 8080
let trusted = "https://app.example.com"
let policy = try CORSPolicy(allowOrigins: [trusted], allowMethods: ["PUT"], allowHeaders: ["content-type"], maxAge: 600)

if framework == "vapor" {
    let app = try await Vapor.Application.make(Environment(name: "production", arguments: ["cors-bench-server"]))
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = port
    app.logger.logLevel = .error
    switch middleware {
    case "builtin":
        let configuration = CORSMiddleware.Configuration(
            allowedOrigin: .any([trusted]), allowedMethods: [.GET, .PUT], allowedHeaders: [.contentType])
        app.middleware.use(CORSMiddleware(configuration: configuration), at: .beginning)
    case "ours":
        app.useCORS(policy)
    case "pass":
        app.middleware.use(VaporPassMiddleware(fields: [:]), at: .beginning)
    case "fields":
        let fields: HTTPHeaders = ["Access-Control-Allow-Origin": trusted, "Vary": "Origin"]
        app.middleware.use(VaporPassMiddleware(fields: fields), at: .beginning)
    default:
        break
    }
    app.get("hello") { _ in "hello" }
    try await app.execute()
} else {
    let router = Hummingbird.Router()
    switch middleware {
    case "builtin":
        router.add(middleware: Hummingbird.CORSMiddleware(allowOrigin: .oneOf(trusted), allowMethods: [.get, .put]))
    case "ours":
        router.add(middleware: CORSHummingbird.CORSPolicyMiddleware(policy))
    case "pass":
        router.add(middleware: PassMiddleware(fields: [:]))
    case "fields":
        router.add(middleware: PassMiddleware(fields: [.accessControlAllowOrigin: trusted, .vary: "Origin"]))
    default:
        break
    }
    router.get("/hello") { _, _ in "hello" }
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let app = Hummingbird.Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    try await app.runService()
}
