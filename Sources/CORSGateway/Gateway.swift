import CORSCore
import HTTPTypes
package import Hummingbird
import HummingbirdCore
import HummingbirdTLS
package import Logging
package import NIOCore
package import NIOSSL
package import ServiceLifecycle

/// `cors serve`: a CORS gateway driven by a policy file — a reverse proxy in front of any backend, or an echo
/// service to try a policy from a browser.
package enum Gateway {
    /// Builds the gateway application.
    ///
    /// - Parameters:
    ///   - state: the policy file in force (shared with a ``PolicyReloader``).
    ///   - proxy: where to forward requests; `nil` for the echo service.
    ///   - corsLogger: where each refused CORS request is logged with its reason code.
    ///   - metrics: where requests are counted, for an ``AdminListener``.
    ///   - accessLog: where each request is logged.
    ///   - tls: the server's certificate and key, to serve HTTPS (HTTP/1.1 over TLS).
    package static func application(
        host: String, port: Int, state: PolicyFileState, proxy: ReverseProxy?, limits: GatewayLimits = GatewayLimits(),
        services: [any Service] = [], logger: Logger, corsLogger: Logger, metrics: GatewayMetrics? = nil,
        accessLog: AccessLog? = nil, tls: TLSConfiguration? = nil,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let registry = ConnectionRegistry()
        let responder = GatewayResponder(
            policy: PolicyFileMiddleware(state: state, logger: corsLogger), proxy: proxy, metrics: metrics,
            accessLog: accessLog)
        let server = HTTPServerBuilder { responder in
            let channel = GatewayChannel(responder: responder, limits: limits, registry: registry)
            guard let tls else { return channel }
            return try TLSChannel(channel, tlsConfiguration: tls)
        }
        return Application(
            responder: responder, server: server,
            configuration: .init(
                address: .hostname(host, port: port), serverName: nil,
                availableConnectionsDelegate: ConnectionCap(maximum: limits.maxConnections, registry: registry)),
            services: services, onServerRunning: onServerRunning, logger: logger)
    }
}

/// Every request, in order: the path made canonical (or the request refused), the CORS policy, cross-origin
/// protection, then the upstream (or the echo).
///
/// The path is made canonical first so that one path is both judged — route rules, exemptions — and forwarded;
/// a path servers read in different ways (``PathAmbiguity``) is refused here, before it could reach an upstream
/// that reads it another way.
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayContext

    let policy: PolicyFileMiddleware<GatewayContext>
    let proxy: ReverseProxy?
    let metrics: GatewayMetrics?
    let accessLog: AccessLog?

    func respond(to request: Request, context: GatewayContext) async throws -> Response {
        let start = ContinuousClock.now
        metrics?.requestStarted()
        defer { metrics?.requestEnded() }
        // The decisions the middleware makes, as it makes them, for the counts and the log.
        var decisions: (cors: CORSDecision?, protection: ProtectionDecision?) = (nil, nil)
        func logged(_ response: Response) -> Response {
            accessLog?.record(
                request.head, cors: decisions.cors, protection: decisions.protection, status: response.status.code,
                duration: start.duration(to: .now))
            return response
        }
        if request.method == .connect || request.method.rawValue == "TRACE" {
            return logged(
                GatewayResponses.error(
                    status: 405, code: "method-not-allowed", message: "the gateway does not forward CONNECT or TRACE"))
        }
        let target = request.head.path ?? "/"
        var head = request.head
        switch RequestPath.canonical(target[...]) {
        case .failure(let ambiguity):
            return logged(
                GatewayResponses.error(
                    status: 400, code: "ambiguous-path", message: "\(ambiguity) [\(ambiguity.code)]", close: true))
        case .success(let path):
            let query = target.firstIndex(of: "?").map { target[$0...] } ?? ""
            head.path = String(path) + query
        }
        let canonical = Request(head: head, body: request.body)
        defer { if let cors = decisions.cors { metrics?.record(cors: cors, protection: decisions.protection) } }
        do {
            return logged(
                try await policy.handle(
                    canonical, context: context, observeCORS: { decisions.cors = $0 },
                    observeProtection: { decisions.protection = $0 }
                ) { [metrics] request, context in
                    if let proxy {
                        let start = ContinuousClock.now
                        let response = await proxy.respond(to: request, context: context)
                        metrics?.recordUpstream(status: response.status.code, duration: start.duration(to: .now))
                        return response
                    }
                    return try await EchoResponder.respond(to: request, context: context)
                })
        } catch let error as any HTTPResponseError {
            return logged(try error.response(from: canonical, context: context))
        }
    }
}
