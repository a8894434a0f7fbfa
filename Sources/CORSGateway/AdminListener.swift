package import Hummingbird
package import Logging
import NIOCore
import NIOPosix

/// `cors serve --admin-listen`: health, readiness and metrics on a port of their own, so that they never collide
/// with the upstream's paths and can stay off the public network.
///
/// - `GET /healthz`: 200 while the process serves.
/// - `GET /readyz`: 200 when the policy is loaded (the gateway does not start without one) and the upstream accepts a
///   TCP connection within a second; 503 with the reason otherwise.
/// - `GET /metrics`: ``GatewayMetrics`` in Prometheus' text format.
package enum AdminListener {
    package static func application(
        host: String, port: Int, metrics: GatewayMetrics, upstream: UpstreamTarget?, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            guard let upstream else { return text(.ok, "ready\n") }
            guard await accepts(upstream) else {
                return text(
                    .serviceUnavailable, "not ready: the upstream \(upstream.authority) accepts no connection\n")
            }
            return text(.ok, "ready\n")
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning, logger: logger)
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Whether a TCP connection to the upstream opens within a second.
    private static func accepts(_ upstream: UpstreamTarget) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(host: upstream.host, port: upstream.port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
