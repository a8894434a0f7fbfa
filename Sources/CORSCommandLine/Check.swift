public import ArgumentParser
import CORSClient
import CORSCore
import HTTPTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cors check`: replay a request as a browser would, and explain the verdict.
package struct Check: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Fetch a URL as a browser page on ORIGIN would, and explain whether the page could read it.",
        discussion: """
            Every step a browser takes is shown: the preflight (when one is needed), each request and response, \
            each check with ✓ or ✗, and the verdict with the fix.

            Exit status: 0 the page could read the response, 1 the browser would block it, 2 the check could not \
            run (network error, bad URL), 64 usage error.

            Examples:
              cors check https://api.example.com/items --origin https://app.example.com
              cors check http://127.0.0.1:8080/items --origin http://localhost:3000 -X PUT \\
                  -H 'Content-Type: application/json' --credentials include
              cors check https://api.example.com/ --origin https://app.example.com --json | jq .failure
            """
    )

    @Argument(help: "The URL the page fetches.")
    var url: String

    @Option(help: "The page's origin, as scheme://host[:port].")
    var origin: String

    @Option(name: [.customShort("X"), .long], help: "The request method.")
    var method: String = "GET"

    @Option(name: [.customShort("H"), .customLong("header")], help: "A request header, 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "The credentials mode: omit, same-origin or include.")
    var credentials: CredentialsMode = .sameOrigin

    @Option(help: "The engine to follow: chromium, firefox, webkit or spec.")
    var browser: String = "chromium"

    @Option(help: "Seconds to wait for each response (connecting: at most 10).")
    var timeout: Int64 = 30

    @Flag(help: "Print one JSON object and nothing else on stdout.")
    var json = false

    package init() {}

    package func validate() throws {
        guard Origin(headerValue: origin) != nil, origin != "null" else {
            throw ValidationError(
                "--origin must be a serialized origin such as https://app.example.com (no path, no trailing /)")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard HTTPRequest.Method(method) != nil else { throw ValidationError("-X: `\(method)` is not a method token") }
        guard BrowserProfile.all.contains(where: { $0.name == browser }) else {
            throw ValidationError("--browser must be one of: \(BrowserProfile.all.map(\.name).joined(separator: ", "))")
        }
        _ = try requestHeaders()
    }

    func requestHeaders() throws -> HTTPFields {
        try parseHeaderOptions(headers)
    }

    func makeRequest() throws -> CrossOriginRequest {
        CrossOriginRequest(
            origin: Origin(headerValue: origin)!, url: url, method: HTTPRequest.Method(method)!,
            headerFields: try requestHeaders(), credentials: credentials)
    }

    package func run() async throws {
        let color = !json && isatty(STDOUT_FILENO) != 0 && getenv("NO_COLOR") == nil
        let (output, code) = try await execute(color: color)
        print(output)
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs the check and returns what `run()` prints and the exit status.
    func execute(color: Bool) async throws -> (output: String, exitCode: Int32) {
        let profile = BrowserProfile.all.first { $0.name == browser } ?? .chromium
        let client = CORSClient(profile: profile, timeoutSeconds: timeout)
        let outcome = await client.fetch(try makeRequest())
        try? await client.shutdown()
        let output = json ? CheckReport.json(outcome.result) : CheckReport.text(outcome.result, color: color)
        return (output, CheckReport.exitCode(outcome.result))
    }
}

extension CredentialsMode: ExpressibleByArgument {}

/// The `-H 'Name: value'` options of `check` and `audit`, as header fields; a malformed one is a usage error.
func parseHeaderOptions(_ options: [String]) throws -> HTTPFields {
    var fields = HTTPFields()
    for option in options {
        guard let colon = option.firstIndex(of: ":"),
            let name = HTTPField.Name(String(option[..<colon].trimmingTabsAndSpaces))
        else { throw ValidationError("-H: `\(option)` is not 'Name: value'") }
        fields.append(HTTPField(name: name, value: String(option[option.index(after: colon)...])))
    }
    return fields
}
