// A Hummingbird 2 API with swift-cors: `swift run cors-example-hummingbird [policy.json]`, then try
// `swift run cors check http://127.0.0.1:8080/api/items --origin https://app.example.com -X PUT`.
import CORSCore
import CORSHummingbird
import Foundation
import Hummingbird
import Logging

// The core reads the policy's text; reading the file is the app's (here with Foundation).
let path = CommandLine.arguments.dropFirst().first ?? "examples/policy.json"
let policy = try CORSPolicy(json: String(contentsOfFile: path, encoding: .utf8))
var logger = Logger(label: "cors")
logger.logLevel = .debug

let router = Router()
// First, on the router itself, so it also answers preflights to paths and methods with no route.
router.add(middleware: CORSPolicyMiddleware(policy, logger: logger))
router.get("/api/items") { _, _ -> Response in
    Response(
        status: .ok, headers: [.contentType: "application/json", .init("X-Total-Count")!: "2"],
        body: .init(byteBuffer: .init(string: #"[{"id":1},{"id":2}]"#)))
}
router.put("/api/items/:id") { _, context in "updated \(context.parameters.get("id") ?? "")" }
router.get("/public/status") { _, _ in "ok" }

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 8080)))
try await app.runService()
