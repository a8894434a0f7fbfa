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
    routes.get("crash") { _ -> Response in throw CancellationError() }
    routes.on(.OPTIONS, "options") { _ in "handled by the route" }
    routes.post("transfer") { _ in "moved" }
}
