import HummingbirdCore
import HummingbirdTLS
package import Logging
package import NIOCore
import NIOPosix
package import NIOSSL
package import ServiceLifecycle

/// `cors serve`: a CORS gateway driven by a policy file — a reverse proxy in front of any backend, or an echo
/// service to try a policy from a browser.
package enum Gateway {
    /// Builds the gateway: its server, with `services` run beside it.
    ///
    /// - Parameters:
    ///   - state: the policy file in force (shared with a ``PolicyReloader``).
    ///   - proxy: where to forward requests; `nil` for the echo service.
    ///   - corsLogger: where each refused CORS request is logged with its reason code.
    ///   - metrics: where requests are counted, for an ``AdminListener``.
    ///   - accessLog: where each request is logged.
    ///   - tls: the server's certificate and key, to serve HTTPS (HTTP/1.1 over TLS).
    ///   - eventLoopGroup: where connections are served (and their upstream connections opened).
    package static func application(
        host: String, port: Int, state: PolicyFileState, proxy: ReverseProxy?, limits: GatewayLimits = GatewayLimits(),
        services: [any Service] = [], logger: Logger, corsLogger: Logger, metrics: GatewayMetrics? = nil,
        accessLog: AccessLog? = nil, tls: TLSConfiguration? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some Service {
        let registry = ConnectionRegistry()
        let channel = GatewayChannel(
            services: GatewayServices(
                state: state, proxy: proxy, corsLogger: corsLogger, metrics: metrics, accessLog: accessLog),
            limits: limits, registry: registry)
        let configuration = ServerConfiguration(
            address: .hostname(host, port: port),
            availableConnectionsDelegate: ConnectionCap(maximum: limits.maxConnections, registry: registry))
        let child: any ServerChildChannel =
            if let tls { try TLSChannel(channel, tlsConfiguration: tls) } else { channel }
        let server = child.server(
            configuration: configuration, onServerRunning: onServerRunning,
            eventLoopGroup: eventLoopGroup, logger: logger)
        return ServiceGroup(configuration: .init(services: services + [server], logger: logger))
    }
}
