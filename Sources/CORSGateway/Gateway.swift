public import CORSCore
import CORSHummingbird
public import Hummingbird
public import Logging
public import NIOCore
public import ServiceLifecycle

/// `cors serve`: a CORS gateway driven by a policy file — a reverse proxy in front of any backend, or an echo
/// service to try a policy from a browser.
public enum Gateway {
    /// The methods the gateway routes; others get a 404 (with CORS fields).
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options, .query]

    /// Builds the gateway application.
    ///
    /// - Parameters:
    ///   - state: the policy in force (shared with a ``PolicyReloader``).
    ///   - proxy: where to forward requests; `nil` for the echo service.
    ///   - corsLogger: where each refused CORS request is logged with its reason code.
    public static func application(
        host: String, port: Int, state: CORSPolicyState, proxy: ReverseProxy?, services: [any Service] = [],
        logger: Logger, corsLogger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: GatewayContext.self)
        router.add(middleware: CORSPolicyMiddleware(state: state, debugLogger: corsLogger))
        router.add(middleware: CrossOriginProtectionMiddleware(policyState: state, logger: corsLogger))
        let handler: @Sendable (Request, GatewayContext) async throws -> Response = { request, context in
            if let proxy { return try await proxy.respond(to: request, context: context) }
            return try await EchoResponder.respond(to: request, context: context)
        }
        for method in methods {
            router.on("/", method: method, use: handler)
            router.on("/**", method: method, use: handler)
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services, onServerRunning: onServerRunning, logger: logger)
    }
}
