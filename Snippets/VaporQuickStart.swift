// A Vapor 4 app with swift-cors: useCORS installs the middleware first, before ErrorMiddleware and authentication.
import CORSCore
import CORSVapor
import Vapor

// snippet.show
let app = try await Application.make(.development)
let policy = try CORSPolicy(
    allowOrigins: ["https://app.example.com"], allowMethods: ["PUT", "DELETE"],
    allowHeaders: ["authorization", "content-type"], allowCredentials: true, maxAge: 600)
let cors = app.useCORS(policy)
app.get("api", "items") { _ in "[]" }
// Later, from a configuration change: atomic; an invalid policy throws and the old one keeps serving.
try cors.state.reconfigure(
    CORSPolicy.Configuration(allowOrigins: ["https://app.example.com", "https://admin.example.com"]))
// snippet.end
try await app.asyncShutdown()
