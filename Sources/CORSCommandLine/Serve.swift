package import ArgumentParser
import CORSCore
import CORSGateway
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cors serve`: a CORS gateway from a policy file.
package struct Serve: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Serve a CORS policy: a gateway in front of an upstream, or an echo service to try the policy.",
        discussion: """
            With --upstream, every request is forwarded (bodies streamed both ways, hop-by-hop headers dropped, \
            Forwarded and X-Forwarded-* set) and the policy decides the CORS fields of every response; preflights are \
            answered by the gateway itself. Each upstream failure is a JSON answer the page can read: 502 \
            (unreachable, closed, invalid response), 503 (every connection busy and the queue full, or none free in \
            time), 504 (no answer in time). Without --upstream, any path and method answers 200 with a JSON \
            description of the request.

            The gateway reads HTTP/1.1 strictly (RFC 9112): ambiguous framing (Content-Length with \
            Transfer-Encoding, a coding other than chunked, bare LF, folded lines) is refused with 400, and so is a \
            path servers read in different ways (dot segments, %2F, %5C, \\, %00): the path the policy judges is the \
            path the upstream gets. Every client and upstream wait has a timeout and every resource a cap (the \
            options below; defaults from nginx and Envoy).

            The policy reloads on SIGHUP and when the file changes; an invalid new policy is refused (its problems \
            are logged) and the old one keeps serving. SIGTERM and SIGINT stop accepting connections and let \
            requests in flight finish, for at most --shutdown-timeout seconds. Each refused CORS request is logged \
            with its reason code.

            With --admin-listen, a second listener (keep it off the public network) serves GET /healthz (200 while \
            the process serves), /readyz (200 once the upstream accepts a connection, else 503) and /metrics \
            (Prometheus text: requests by kind and decision, refusals by reason, protection refusals, upstream \
            status classes and latency, requests in flight, policy reloads and the policy's age).

            Examples:
              cors serve --policy examples/policy.json
              cors serve --policy cors.json --listen 0.0.0.0:8080 --upstream http://127.0.0.1:3000
              cors serve --policy cors.json --upstream http://127.0.0.1:3000 --forwarded forwarded --trust-forwarded
            """
    )

    @Option(help: "The policy file (JSON); see `cors lint`.")
    var policy: String

    @Option(help: "Where to listen, HOST:PORT (use [::1]:PORT for IPv6; port 0 picks a free one).")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "The backend to forward to, http(s)://host[:port][/base].")
    var upstream: String?

    @Option(help: "Where to serve /healthz, /readyz and /metrics, HOST:PORT (off by default; port 0 picks one).")
    var adminListen: String?

    @Option(
        help: """
            Which fields tell the upstream about the client: forwarded (RFC 7239), x-forwarded \
            (X-Forwarded-For/-Host/-Proto), both, or none.
            """)
    var forwarded: ForwardedFields = .both

    @Flag(
        help: """
            Keep the client's own Forwarded and X-Forwarded-* fields and append to them (only behind a proxy that \
            sets them); by default they are removed, since any client can write them.
            """)
    var trustForwarded = false

    @Option(help: "Seconds between checks of the policy file for changes; 0 reloads on SIGHUP only.")
    var watchInterval: Double = 1

    @OptionGroup(title: "Timeouts and limits")
    var limits: ServeLimits

    @OptionGroup var output: OutputOptions
    var json: Bool { output.json }

    package init() {}

    func address() throws -> (host: String, port: Int) {
        try Self.address(listen, option: "--listen")
    }

    static func address(_ text: String, option: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("\(option) must be HOST:PORT, such as 127.0.0.1:8080") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("\(option) must be HOST:PORT, such as 127.0.0.1:8080") }
        return (host, port)
    }

    package func validate() throws {
        _ = try address()
        if let adminListen { _ = try Self.address(adminListen, option: "--admin-listen") }
        if let upstream, UpstreamTarget(upstream) == nil {
            throw ValidationError("--upstream must be an http(s) URL without query, such as http://127.0.0.1:3000/api")
        }
        guard watchInterval >= 0 else { throw ValidationError("--watch-interval must be 0 or more seconds") }
    }

    package func run() async throws {
        let diagnostics = PolicyFile.diagnostics(contentsOf: policy)
        guard diagnostics.isEmpty else {
            print(Lint.report(file: policy, diagnostics: diagnostics, json: json).output)
            throw ExitCode(diagnostics.contains { $0.code == .unreadableFile || $0.code == .invalidJSON } ? 2 : 1)
        }
        let state = PolicyFileState(try PolicyFile(contentsOf: policy))
        let (host, port) = try address()
        var logger = Logger(label: "cors.serve")
        logger.logLevel = .info
        var corsLogger = Logger(label: "cors")
        corsLogger.logLevel = .debug
        let limits = self.limits.limits { logger.warning("\($0)") }
        let proxy = try upstream.flatMap(UpstreamTarget.init).map {
            try ReverseProxy(
                upstream: $0, forwarding: Forwarding(fields: forwarded.fields, trustIncoming: trustForwarded),
                limits: limits, logger: logger)
        }
        let metrics = adminListen.map { _ in GatewayMetrics() }
        let reloader = PolicyReloader(
            path: policy, state: state, logger: logger,
            interval: watchInterval > 0 ? .milliseconds(Int64(watchInterval * 1000)) : nil, metrics: metrics)
        var services: [any Service] = [reloader]
        if let adminListen, let metrics {
            let (adminHost, adminPort) = try Self.address(adminListen, option: "--admin-listen")
            let json = self.json
            services.append(
                AdminListener.application(
                    host: adminHost, port: adminPort, metrics: metrics, upstream: upstream.flatMap(UpstreamTarget.init),
                    logger: logger
                ) { channel in
                    let shown = adminHost.contains(":") ? "[\(adminHost)]" : adminHost
                    let url = "http://\(shown):\(channel.localAddress?.port ?? adminPort)"
                    print(
                        json
                            ? JSONOutput.encode(["admin": url])
                            : "cors serve: /healthz, /readyz and /metrics on \(url)")
                    fflush(nil)
                })
        }
        let upstream = self.upstream
        let policy = self.policy
        let json = self.json
        let app = Gateway.application(
            host: host, port: port, state: state, proxy: proxy, limits: limits, services: services, logger: logger,
            corsLogger: corsLogger, metrics: metrics
        ) { channel in
            let bound = channel.localAddress?.port ?? port
            let shown = host.contains(":") ? "[\(host)]" : host
            let url = "http://\(shown):\(bound)"
            if json {
                print(
                    JSONOutput.encode([
                        "listening": OrNull(url), "upstream": OrNull(upstream), "policy": OrNull(policy),
                    ]))
            } else {
                print(
                    "cors serve: listening on \(url), " + (upstream.map { "forwarding to \($0)" } ?? "echoing requests")
                        + ", policy \(policy) (reloads on SIGHUP and on change)")
            }
            fflush(nil)
        }
        var configuration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = limits.shutdownTimeout
        configuration.maximumCancellationDuration = .seconds(5)
        defer { proxy?.shutdown() }
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// `--forwarded`: the fields that tell the upstream about the client.
enum ForwardedFields: String, ExpressibleByArgument, CaseIterable {
    case forwarded
    case xForwarded = "x-forwarded"
    case both
    case none

    var fields: Forwarding.Fields { Forwarding.Fields(rawValue: rawValue)! }
}
