package import ArgumentParser
import CORSCore
import CORSGateway
import Hummingbird
import Logging
import NIOSSL
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
            requests in flight finish, for at most --shutdown-timeout seconds. Each request is logged (the access \
            log: method, path, origin, CORS decision and reason code, protection refusal, status, milliseconds), as \
            text or, with --log-format json, one JSON object a line, on standard error.

            Every option can also come from the environment, for containers: CORS_ and the option's name in capitals \
            with _ for - (CORS_POLICY, CORS_UPSTREAM, CORS_ADMIN_LISTEN, CORS_LOG_FORMAT, CORS_MAX_BODY_BYTES…); a \
            flag is on with CORS_TRUST_FORWARDED=1 or true (CORS_ACCESS_LOG=0 turns the access log off). An option \
            on the command line wins over its variable.

            With --tls-cert and --tls-key (PEM), it serves HTTPS (HTTP/1.1) and tells the upstream proto=https.

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

    @Option(help: "Serve HTTPS with this certificate chain (PEM); needs --tls-key.")
    var tlsCert: String?

    @Option(help: "The private key (PEM) of --tls-cert.")
    var tlsKey: String?

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

    @Option(help: "The least severe log level written: trace, debug, info, notice, warning, error or critical.")
    var logLevel: LogLevel = .info

    @Option(help: "text (swift-log's lines) or json (one object a line).")
    var logFormat: LogFormat = .text

    @Flag(inversion: .prefixedNo, help: "Log one line per request (the access log).")
    var accessLog = true

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
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither")
        }
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
        let logger = makeLogger("cors.serve")
        let corsLogger = makeLogger("cors")
        let limits = self.limits.limits { logger.warning("\($0)") }
        let tls = try tlsConfiguration()
        let proxy = try upstream.flatMap(UpstreamTarget.init).map {
            try ReverseProxy(
                upstream: $0,
                forwarding: Forwarding(
                    fields: forwarded.fields, trustIncoming: trustForwarded, proto: tls == nil ? "http" : "https"),
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
        let app = try Gateway.application(
            host: host, port: port, state: state, proxy: proxy, limits: limits, services: services, logger: logger,
            corsLogger: corsLogger, metrics: metrics,
            accessLog: accessLog ? AccessLog(logger: makeLogger("cors.access")) : nil, tls: tls,
            eventLoopGroup: Gateway.eventLoopGroup
        ) { channel in
            let bound = channel.localAddress?.port ?? port
            let shown = host.contains(":") ? "[\(host)]" : host
            let url = "\(tls == nil ? "http" : "https")://\(shown):\(bound)"
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

extension Serve {
    /// The server's TLS configuration from `--tls-cert` and `--tls-key` (HTTP/1.1 by ALPN), or `nil` without them;
    /// a file that cannot be read as PEM is named in the error.
    func tlsConfiguration() throws -> TLSConfiguration? {
        guard let tlsCert, let tlsKey else { return nil }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tlsCert)
        } catch {
            throw ValidationError("--tls-cert: \(tlsCert) is not a readable PEM certificate chain (\(error))")
        }
        do {
            key = try NIOSSLPrivateKey(file: tlsKey, format: .pem)
        } catch {
            throw ValidationError("--tls-key: \(tlsKey) is not a readable PEM private key (\(error))")
        }
        guard !chain.isEmpty else { throw ValidationError("--tls-cert: \(tlsCert) holds no certificate") }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }

    /// A logger at `--log-level`, writing `--log-format`.
    func makeLogger(_ label: String) -> Logger {
        var logger =
            switch logFormat {
            case .text: Logger(label: label) { TextLogHandler(label: $0) }
            case .json: Logger(label: label) { JSONLogHandler(label: $0) }
            }
        logger.logLevel = logLevel.level
        return logger
    }

    /// The `CORS_…` variables for the options not on the command line, as arguments: `CORS_` and the option's long
    /// name in capitals with `_` for `-`; a flag is on for `1` or `true` (and `--no-…` for `0` or `false` when it
    /// has that inversion).
    static func environmentArguments(_ environment: [String: String], given arguments: [String]) -> [String] {
        var added: [String] = []
        for option in options {
            let variable = "CORS_" + option.name.uppercased().replacing("-", with: "_")
            guard let value = environment[variable] else { continue }
            let spellings = ["--" + option.name] + (option.isFlag ? ["--no-" + option.name] : [])
            guard !arguments.contains(where: { argument in spellings.contains { argument.hasPrefix($0) } }) else {
                continue
            }
            if option.isFlag {
                switch value.lowercased() {
                case "1", "true", "yes", "on": added.append("--" + option.name)
                case "0", "false", "no", "off": if option.hasInversion { added.append("--no-" + option.name) }
                default: added.append("--" + option.name + "=" + value)  // refused by the parser, naming the flag
                }
            } else {
                added += ["--" + option.name, value]
            }
        }
        return added
    }

    /// Every option of `cors serve`, read from its help so that a new option gets its variable without a list to
    /// keep in step.
    static var options: [(name: String, isFlag: Bool, hasInversion: Bool)] {
        var found: [(name: String, isFlag: Bool, hasInversion: Bool)] = []
        for line in Serve.helpMessage(columns: 1000).split(separator: "\n") {
            // `  --name <value>   help`, `  --long, --alias <value>`, `  --flag/--no-flag   help`.
            guard line.hasPrefix("  --") else { continue }
            let tokens = line.split(separator: " ").prefix { $0.hasPrefix("--") || $0.hasPrefix("<") }
            let names = tokens.filter { $0.hasPrefix("--") }.flatMap { $0.split(separator: "/") }
                .map { String($0.dropFirst(2).filter { $0 != "," }) }
            guard let first = names.first, first != "help", first != "version" else { continue }
            let takesValue = tokens.contains { $0.hasPrefix("<") }
            found.append((first, !takesValue, names.contains("no-" + first)))
        }
        return found
    }
}

/// `--log-format`.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--log-level`: swift-log's levels.
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue)! }
}

/// `--forwarded`: the fields that tell the upstream about the client.
enum ForwardedFields: String, ExpressibleByArgument, CaseIterable {
    case forwarded
    case xForwarded = "x-forwarded"
    case both
    case none

    var fields: Forwarding.Fields { Forwarding.Fields(rawValue: rawValue)! }
}
