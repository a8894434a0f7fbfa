package import ArgumentParser
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

    @OptionGroup var request: RequestOptions

    @Option(help: "The credentials mode: omit, same-origin or include.")
    var credentials: CredentialsMode = .sameOrigin

    @Option(help: "The engine to follow: chromium, firefox, webkit or spec.")
    var browser: BrowserChoice = .chromium

    @OptionGroup var timeout: TimeoutOption

    @OptionGroup var output: OutputOptions

    package init() {}

    package func validate() throws {
        _ = try validatedOrigin(origin, option: "--origin")
    }

    func makeRequest() throws -> CrossOriginRequest {
        CrossOriginRequest(
            origin: try validatedOrigin(origin, option: "--origin"), url: url, method: request.requestMethod,
            headerFields: try request.headerFields(), credentials: credentials)
    }

    package func run() async throws {
        let color = !output.json && isatty(STDOUT_FILENO) != 0 && getenv("NO_COLOR") == nil
        let (output, code) = try await execute(color: color)
        print(output)
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs the check and returns what `run()` prints and the exit status.
    func execute(color: Bool) async throws -> (output: String, exitCode: Int32) {
        let client = CORSClient(profile: browser.profile, timeoutSeconds: timeout.timeout)
        let outcome = await client.fetch(try makeRequest())
        try? await client.shutdown()
        let text = output.json ? CheckReport.json(outcome.result) : CheckReport.text(outcome.result, color: color)
        return (text, CheckReport.exitCode(outcome.result))
    }
}
