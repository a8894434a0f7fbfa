// A Vapor 4 API with swift-cors: `swift run cors-example-vapor [policy.json]`, then try
// `swift run cors check http://127.0.0.1:8080/api/items/1 --origin https://app.example.com -X PUT`.
import CORSCore
import CORSVapor
import Foundation
import Logging
import Vapor

// The core reads the policy's text; reading the file is the app's (here with Foundation).
let path = CommandLine.arguments.dropFirst().first ?? "examples/policy.json"
let policy = try CORSPolicy(json: String(contentsOfFile: path, encoding: .utf8))
var logger = Logger(label: "cors")
logger.logLevel = .debug

let app = try await Application.make(Environment(name: "development", arguments: ["cors-example-vapor"]))
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = 8080
// First of all middleware: before ErrorMiddleware (errors get CORS fields) and before any authentication.
app.useCORS(policy, logger: logger)
app.get("api", "items") { _ -> Response in
    Response(
        status: .ok, headers: ["Content-Type": "application/json", "X-Total-Count": "2"],
        body: .init(string: #"[{"id":1},{"id":2}]"#))
}
app.put("api", "items", ":id") { request in "updated \(request.parameters.get("id") ?? "")" }
app.get("public", "status") { _ in "ok" }
try await app.execute()
try await app.asyncShutdown()
