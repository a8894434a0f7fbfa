import CORSClient
import CORSCore
import CORSHummingbird
import CORSTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Runs a live Hummingbird server on 127.0.0.1 built by `configure`, and gives `body` its base URL.
func withServer(
    _ configure: (Router<BasicRequestContext>) -> Void,
    _ body: @Sendable (String, any TestClientProtocol) async throws -> Void
) async throws {
    let router = Router()
    configure(router)
    let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await application.test(.live) { client in
        try await body("http://127.0.0.1:\(client.port!)", client)
    }
}

/// The routes every test app has: a list with a total, an update, a handler with its own Vary, a thrown client
/// error, a crash, a real OPTIONS route and a state-changing POST.
func addRoutes(_ router: some RouterMethods<BasicRequestContext>) {
    router.get("/items") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "application/json", .init("X-Total-Count")!: "3"])
    }
    router.put("/items") { _, _ in "updated" }
    router.get("/vary") { _, _ -> Response in Response(status: .ok, headers: [.vary: "Accept-Encoding"]) }
    router.get("/fail") { _, _ -> Response in throw HTTPError(.badRequest, message: "no") }
    router.get("/crash") { _, _ -> Response in throw CancellationError() }
    router.on("/options", method: .options) { _, _ in "handled by the route" }
    router.post("/transfer") { _, _ in "moved" }
}
