package import ArgumentParser
import CORSCore
import CORSExport
import CORSGateway

/// `cors export nginx|caddy POLICY.json`: the policy as edge-server configuration that answers as `cors serve` does.
package struct Export: ParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract:
            "Write a policy file as nginx or Caddy configuration that answers every request as `cors serve` would.",
        discussion: """
            The policy is validated first (as `cors lint` does); then every rule becomes an anchored regular \
            expression on the request's own bytes — origins matched whole, a preflight's method and every header it \
            asks for checked, routes matched on the path as sent (paths with no single meaning, such as %2F or dot \
            segments, are refused with 400 as `cors serve` refuses them) — and every response gets exactly the \
            fields the policy decides, Vary included, with the upstream's Access-Control-* fields hidden.

            Without --upstream the output is a fragment: nginx `map` blocks for the `http` block and directives for \
            each location; Caddy directives for a site block. With --upstream it is a whole server that forwards to \
            the URL, listening on --listen.

            What a target cannot tell apart, it answers as it reads it; the differential tests in the repository \
            compare every answer with the engine's on the real servers. nginx before 1.23 reads only the first of \
            several Origin, Access-Control-Request-Method or Access-Control-Request-Headers fields; nginx and \
            Caddy read an empty field as no field. Browsers send neither. A policy file with crossOriginProtection \
            is refused: these exports do not carry it.

            Exit status: 0 written, 1 the policy file has problems or asks for what the target cannot carry, 2 the \
            file cannot be read or is not JSON, 64 usage error.

            Examples:
              cors export nginx examples/policy.json > cors.conf
              cors export nginx examples/policy.json --upstream http://127.0.0.1:3000 --listen 8080 > nginx.conf
              cors export caddy examples/policy.json --upstream http://127.0.0.1:3000 > Caddyfile
            """
    )

    @Argument(help: "The server to write configuration for: nginx or caddy.")
    var target: EdgeTarget

    @Argument(help: "The policy file (JSON).")
    var file: String

    @Option(help: "Write a whole server that forwards to this URL (e.g. http://127.0.0.1:3000).")
    var upstream: String?

    @Option(help: "With --upstream: the address to listen on (nginx `listen`, Caddy site address).")
    var listen = "127.0.0.1:8080"

    @OptionGroup var output: OutputOptions

    package init() {}

    package func validate() throws {
        if let upstream, !(upstream.hasPrefix("http://") || upstream.hasPrefix("https://")) {
            throw ValidationError("--upstream must be an http:// or https:// URL, not `\(upstream)`.")
        }
        if listen.contains(where: { $0 == " " || $0 == ";" || $0 == "{" || $0 == "}" || $0 == "\n" }) {
            throw ValidationError("--listen must be an address such as 127.0.0.1:8080, not `\(listen)`.")
        }
    }

    package func run() throws {
        let (text, code) = execute()
        print(text, terminator: output.json || text.hasSuffix("\n") ? "\n" : "")
        if code != 0 { throw ExitCode(code) }
    }

    /// The configuration (or the problems) and the exit status.
    func execute() -> (output: String, exitCode: Int32) {
        let policyFile: PolicyFile
        do {
            policyFile = try PolicyFile(contentsOf: file)
        } catch {
            return Lint.report(file: file, diagnostics: error.diagnostics, json: output.json)
        }
        if policyFile.crossOriginProtection != nil {
            let problem =
                "crossOriginProtection cannot be exported: the \(target.rawValue) configuration would "
                + "carry the CORS policy without the protection the file asks for. Export a copy of the file "
                + "without it, and protect the application itself (CrossOriginProtectionMiddleware)."
            return (
                output.json
                    ? JSONOutput.encode(ExportJSON(target: target.rawValue, file: file, error: problem))
                    : "\(file): \(problem)", 1
            )
        }
        let text =
            upstream.map { target.server(policyFile.policy, source: file, listen: listen, upstream: $0) }
            ?? target.fragment(policyFile.policy, source: file)
        guard output.json else { return (text, 0) }
        return (JSONOutput.encode(ExportJSON(target: target.rawValue, file: file, configuration: text)), 0)
    }
}

/// `cors export --json`: the target, the policy file and the configuration (or why there is none).
struct ExportJSON: Encodable {
    let target: String
    let file: String
    var configuration: OrNull<String> = OrNull(nil)
    var error: OrNull<String> = OrNull(nil)

    init(target: String, file: String, configuration: String) {
        self.target = target
        self.file = file
        self.configuration = OrNull(configuration)
    }

    init(target: String, file: String, error: String) {
        self.target = target
        self.file = file
        self.error = OrNull(error)
    }
}

extension EdgeTarget: ExpressibleByArgument {}
