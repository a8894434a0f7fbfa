// A Hummingbird 2 app with swift-cors: the CORS policy first, on the router itself, then the routes.
import CORSCore
import CORSHummingbird
import Hummingbird

// snippet.show
let policy = try CORSPolicy(
    allowOrigins: ["https://app.example.com"], allowMethods: ["PUT", "DELETE"],
    allowHeaders: ["authorization", "content-type"], exposeHeaders: ["x-total-count"], allowCredentials: true,
    maxAge: 600)
let router = Router()
// On the router, before any route: it sees every request, preflights to paths with no OPTIONS route included.
router.add(middleware: CORSPolicyMiddleware(policy))
router.get("/api/items") { _, _ in "[]" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 8080)))
// snippet.end
_ = app
