import ArgumentParser
import CORSGateway
import HTTP1Wire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The timeouts and caps of `cors serve`, as flags; each default is what nginx or Envoy ships (``GatewayLimits``).
struct ServeLimits: ParsableArguments {
    @Option(help: "Seconds a client may take to send a request's header section (nginx client_header_timeout).")
    var headerTimeout: Double = 60

    @Option(help: "Seconds a request body may stall while the gateway waits for it (nginx client_body_timeout).")
    var bodyTimeout: Double = 60

    @Option(help: "Seconds a kept-alive connection may wait for its next request (nginx keepalive_timeout).")
    var idleTimeout: Double = 75

    @Option(help: "Seconds a client may leave a response unread (nginx send_timeout).")
    var sendTimeout: Double = 60

    @Option(help: "Client connections open at once; at the cap the longest-idle one is closed to make room.")
    var maxConnections = 1024

    @Option(help: "Largest header section in bytes (431 beyond it; Envoy allows 60 KiB).")
    var maxHeaderBytes = 64 * 1024

    @Option(help: "Largest request body in bytes (413 beyond it); bodies are streamed. Default: no limit.")
    var maxBodyBytes: Int?

    @Option(
        name: [.customLong("upstream-timeout"), .customLong("timeout")],
        help: """
            Seconds an upstream exchange may go with no byte moving, waiting for the response included, and a request \
            may wait for an upstream connection (nginx proxy_read_timeout). --timeout is the same.
            """)
    var upstreamTimeout: Double = 60

    @Option(help: "Seconds to establish an upstream connection (Envoy connect_timeout).")
    var connectTimeout: Double = 5

    @Option(help: "Upstream connections open at once (Envoy max_connections).")
    var upstreamConnections = 1024

    @Option(help: "Requests that may wait for a free upstream connection; beyond it, 503 (Envoy max_pending_requests).")
    var upstreamQueue = 1024

    @Option(help: "Seconds an unused upstream connection is kept for reuse (nginx upstream keepalive_timeout).")
    var upstreamIdleTimeout: Double = 60

    @Option(help: "After SIGTERM or SIGINT, seconds requests in flight may take before connections are closed.")
    var shutdownTimeout: Double = 30

    func validate() throws {
        let seconds = [
            ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
            ("--send-timeout", sendTimeout), ("--upstream-timeout", upstreamTimeout),
            ("--connect-timeout", connectTimeout), ("--upstream-idle-timeout", upstreamIdleTimeout),
        ]
        for (name, value) in seconds where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) must be a number of seconds above 0, at most 86400")
        }
        guard shutdownTimeout >= 0, shutdownTimeout <= 86_400 else {
            throw ValidationError("--shutdown-timeout must be between 0 and 86400 seconds")
        }
        for (name, value) in [
            ("--max-connections", maxConnections), ("--upstream-connections", upstreamConnections),
            ("--max-header-bytes", maxHeaderBytes),
        ] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        guard upstreamQueue >= 0 else { throw ValidationError("--upstream-queue must be 0 or more") }
        guard maxHeaderBytes >= 1024 else { throw ValidationError("--max-header-bytes must be at least 1024") }
        if let maxBodyBytes, maxBodyBytes < 0 { throw ValidationError("--max-body-bytes must be 0 or more") }
    }

    /// The limits, with the connection caps lowered when the descriptor limit cannot hold them.
    func limits(warn: (String) -> Void) -> GatewayLimits {
        var limits = GatewayLimits()
        limits.headerTimeout = .seconds(headerTimeout)
        limits.bodyTimeout = .seconds(bodyTimeout)
        limits.idleTimeout = .seconds(idleTimeout)
        limits.sendTimeout = .seconds(sendTimeout)
        limits.maxConnections = maxConnections
        limits.http1.maxHeadBytes = maxHeaderBytes
        limits.http1.maxLineBytes = min(limits.http1.maxLineBytes, maxHeaderBytes)
        limits.http1.maxBodyBytes = maxBodyBytes
        limits.upstreamTimeout = .seconds(upstreamTimeout)
        limits.upstreamConnectTimeout = .seconds(connectTimeout)
        limits.upstreamConnections = upstreamConnections
        limits.upstreamQueue = upstreamQueue
        limits.upstreamIdleTimeout = .seconds(upstreamIdleTimeout)
        limits.shutdownTimeout = .seconds(shutdownTimeout)

        // Each client connection may need an upstream one: both caps must fit the descriptor limit, with room for
        // the listener, the policy file and logs. Raise the soft limit to the hard one first, as Go does.
        let available = Self.raiseDescriptorLimit() - 64
        let wanted = limits.maxConnections + limits.upstreamConnections
        if available > 0, wanted > available {
            let scale = Double(available) / Double(wanted)
            limits.maxConnections = max(1, Int(Double(limits.maxConnections) * scale))
            limits.upstreamConnections = max(1, Int(Double(limits.upstreamConnections) * scale))
            warn(
                "the descriptor limit (\(available + 64)) cannot hold \(wanted) connections: serving at most "
                    + "\(limits.maxConnections) client and \(limits.upstreamConnections) upstream connections")
        }
        return limits
    }

    /// Raises the soft limit on open descriptors to the hard limit; returns the limit in force.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }

    #if canImport(Glibc)
        static let resourceNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        static let resourceNoFile = RLIMIT_NOFILE
    #endif
}
