public import ArgumentParser
import AsyncHTTPClient
import CORSCore
import CORSGateway
import Hummingbird
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cors serve`: a CORS gateway from a policy file.
public struct Serve: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Serve a CORS policy: a gateway in front of an upstream, or an echo service to try the policy.",
        discussion: """
            With --upstream, every request is forwarded (bodies streamed both ways, hop-by-hop headers dropped, \
            Forwarded and X-Forwarded-* added) and the policy decides the CORS fields of every response; preflights \
            are answered by the gateway itself, and an unreachable upstream gives a 502 the page can read. Without \
            --upstream, any path and method answers 200 with a JSON description of the request.

            The policy reloads on SIGHUP and when the file changes; an invalid new policy is refused (its problems \
            are logged) and the old one keeps serving. SIGTERM and SIGINT stop the server after in-flight requests \
            finish. Each refused CORS request is logged with its reason code.

            Examples:
              cors serve --policy examples/policy.json
              cors serve --policy cors.json --listen 0.0.0.0:8080 --upstream http://127.0.0.1:3000
            """
    )

    @Option(help: "The policy file (JSON); see `cors lint`.")
    var policy: String

    @Option(help: "Where to listen, HOST:PORT (use [::1]:PORT for IPv6).")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "The backend to forward to, http(s)://host[:port][/base].")
    var upstream: String?

    @Option(help: "Seconds to wait for the upstream.")
    var timeout: Int64 = 60

    @Option(help: "Seconds between checks of the policy file for changes; 0 reloads on SIGHUP only.")
    var watchInterval: Double = 1

    @Flag(help: "Print the startup line as one JSON object.")
    var json = false

    public init() {}

    func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8080") }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8080") }
        return (host, port)
    }

    public func validate() throws {
        _ = try address()
        if let upstream, ReverseProxy.validate(upstream: upstream) == false {
            throw ValidationError("--upstream must be an http(s) URL, such as http://127.0.0.1:3000")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard watchInterval >= 0 else { throw ValidationError("--watch-interval must be 0 or more seconds") }
    }

    public func run() async throws {
        let diagnostics = CORSPolicy.diagnostics(contentsOf: policy)
        guard diagnostics.isEmpty else {
            print(Lint.report(file: policy, diagnostics: diagnostics, json: json).output)
            throw ExitCode(diagnostics.contains { $0.code == .unreadableFile || $0.code == .invalidJSON } ? 2 : 1)
        }
        let state = CORSPolicyState(try CORSPolicy(contentsOf: policy))
        let (host, port) = try address()
        var logger = Logger(label: "cors.serve")
        logger.logLevel = .info
        var corsLogger = Logger(label: "cors")
        corsLogger.logLevel = .debug
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(min(timeout, 3)), read: .seconds(timeout)), decompression: .disabled))
        let proxy = upstream.flatMap {
            ReverseProxy(upstream: $0, client: client, timeoutSeconds: timeout, logger: logger)
        }
        let reloader = PolicyReloader(
            path: policy, state: state, logger: logger,
            interval: watchInterval > 0 ? .milliseconds(Int64(watchInterval * 1000)) : nil)
        let upstream = self.upstream
        let policy = self.policy
        let json = self.json
        let app = Gateway.application(
            host: host, port: port, state: state, proxy: proxy, services: [reloader], logger: logger,
            corsLogger: corsLogger
        ) { channel in
            let bound = channel.localAddress?.port ?? port
            let shown = host.contains(":") ? "[\(host)]" : host
            let url = "http://\(shown):\(bound)"
            if json {
                print(
                    JSONText.object([
                        ("listening", JSONText.string(url)), ("upstream", upstream.map(JSONText.string) ?? "null"),
                        ("policy", JSONText.string(policy)),
                    ]))
            } else {
                print(
                    "cors serve: listening on \(url), " + (upstream.map { "forwarding to \($0)" } ?? "echoing requests")
                        + ", policy \(policy) (reloads on SIGHUP and on change)")
            }
            fflush(nil)
        }
        do {
            try await app.runService()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

extension ReverseProxy {
    /// Whether `upstream` is a URL the proxy can forward to.
    static func validate(upstream: String) -> Bool {
        let lower = upstream.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return false }
        return upstream.split(separator: "/").count >= 2
    }
}
