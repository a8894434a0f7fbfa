package import ArgumentParser
import CORSClient
import CORSCore
import HTTPTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything on standard input, as text.
func readStandardInput() -> String {
    var bytes: [UInt8] = []
    while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
    return String(decoding: bytes, as: UTF8.self)
}

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

            From DevTools: right-click the failed request, "Copy as cURL" (bash or cmd), and paste it:
              cors check --curl 'curl "https://api.example.com/items" -X PUT -H "origin: https://app.example.com" …'
              pbpaste | cors check --curl -

            The preflight cache: --repeat N fetches N times in one browser session, --wait S apart, and says which \
            fetches sent a preflight and which took it from the cache (engines differ: --browser firefox never \
            reuses a cached `*`, webkit keeps entries at most 600 s):
              cors check https://api.example.com/items --origin https://app.example.com -X PUT --repeat 2
            The page's origin comes from the command's Origin (or Referer) field, credentials from its cookies; \
            the fields the browser sets itself are not replayed. Nothing in the command is run: options that \
            would read or write files, or any shell syntax, are reported and refused.
            """
    )

    @Argument(help: "The URL the page fetches (not with --curl).")
    var url: String?

    @Option(help: "The page's origin, as scheme://host[:port] (with --curl: taken from the command unless given).")
    var origin: String?

    @OptionGroup var request: RequestOptions

    @Option(
        help: ArgumentHelp(
            "A request copied with DevTools' \"Copy as cURL\" (bash or cmd), or - to read it from standard input.",
            valueName: "command"))
    var curl: String?

    @Option(help: "The credentials mode: omit, same-origin (the default) or include.")
    var credentials: CredentialsMode?

    @Option(
        help: ArgumentHelp(
            "The fetch's cache mode: default, no-store, reload, no-cache, force-cache or only-if-cached "
                + "(Chromium and Firefox skip the preflight cache for some).",
            valueName: "mode"))
    var cache: RequestCacheMode = .default

    @Option(help: "The engine to follow: chromium, firefox, webkit or spec.")
    var browser: BrowserChoice = .chromium

    @Option(
        help: ArgumentHelp(
            "Fetch N times in a row with one preflight cache, to see what the engine's cache does (1 to 20).",
            valueName: "N"))
    var `repeat` = 1

    @Option(help: ArgumentHelp("With --repeat: seconds to wait between fetches (up to 600).", valueName: "seconds"))
    var wait: Double = 0

    @OptionGroup var timeout: TimeoutOption

    @OptionGroup var output: OutputOptions

    package init() {}

    package func validate() throws {
        guard (1...20).contains(`repeat`) else { throw ValidationError("--repeat must be from 1 to 20") }
        guard (0...600).contains(wait) else { throw ValidationError("--wait must be from 0 to 600 seconds") }
        if let origin { _ = try validatedOrigin(origin, option: "--origin") }
        if curl != nil {
            guard url == nil, request.headers.isEmpty, request.method == "GET" else {
                throw ValidationError("with --curl the request comes from the command: no URL, -X or -H")
            }
        } else {
            guard url != nil else { throw ValidationError("give the URL to fetch, or --curl with a copied command") }
            guard origin != nil else { throw ValidationError("--origin is needed: the page's origin") }
        }
    }

    /// What to fetch, and (with `--curl`) how it was read from the command, the body to send and its cookies.
    func makeRequest() throws -> (request: CrossOriginRequest, replay: CurlReplay?, body: [UInt8]?, cookies: String?) {
        let pageOrigin = try origin.map { try validatedOrigin($0, option: "--origin") }
        guard let curl else {
            let request = CrossOriginRequest(
                origin: pageOrigin!, url: url!, method: request.requestMethod, headerFields: try request.headerFields(),
                credentials: credentials ?? .sameOrigin, cache: cache)
            return (request, nil, nil, nil)
        }
        let text = curl == "-" ? readStandardInput() : curl
        do {
            let command = try CurlCommand(text)
            let sent = SentRequest(
                url: command.url, method: command.method,
                fields: command.headers + (command.cookies.map { [(name: "Cookie", value: $0)] } ?? []),
                sentCookies: command.cookies != nil
                    || command.headers.contains { $0.name.lowercased() == "cookie" },
                bodyLength: command.body?.count ?? 0)
            var page = try sent.pageRequest(origin: pageOrigin, credentials: credentials)
            page.request.cache = cache
            let cookies = sent.fields.filter { $0.name.lowercased() == "cookie" }
                .map { String(decoding: $0.value, as: UTF8.self) }.joined(separator: "; ")
            return (
                page.request, CurlReplay(command: command, page: page), command.body, cookies.isEmpty ? nil : cookies
            )
        } catch let problems as CurlCommand.Problems {
            throw ValidationError(problems.description)
        } catch let unreadable as SentRequest.Unreadable {
            throw ValidationError("--curl: " + unreadable.description)
        }
    }

    package func run() async throws {
        let color = !output.json && isatty(STDOUT_FILENO) != 0 && getenv("NO_COLOR") == nil
        let (output, code) = try await execute(color: color)
        print(output)
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs the check and returns what `run()` prints and the exit status.
    func execute(color: Bool) async throws -> (output: String, exitCode: Int32) {
        let (request, replay, body, cookies) = try makeRequest()
        let jar = CookieJar()
        if let cookies, let host = try? Origin(url: request.url).host?.serialization {
            for pair in cookies.split(separator: ";") { jar.set(String(pair), forHost: host) }
        }
        let client = CORSClient(profile: browser.profile, cookies: jar, timeoutSeconds: timeout.timeout)
        var results: [FetchResult] = []
        for index in 0..<`repeat` {
            if index > 0, wait > 0 { try? await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
            results.append(await client.fetch(request, body: body).result)
        }
        try? await client.shutdown()
        let exitCode = results.map(CheckReport.exitCode).max() ?? 0
        guard results.count > 1 else {
            let text =
                output.json
                ? CheckReport.json(results[0], replay: replay)
                : (replay.map { $0.text + "\n\n" } ?? "") + CheckReport.text(results[0], color: color)
            return (text, exitCode)
        }
        if output.json { return (CheckReport.json(repeated: results, browser: browser, replay: replay), exitCode) }
        var sections = replay.map { [$0.text] } ?? []
        for (index, result) in results.enumerated() {
            sections.append("── fetch \(index + 1) of \(results.count) ──\n" + CheckReport.text(result, color: color))
        }
        sections.append(RepeatedCheckJSON.summary(results, browser: browser))
        return (sections.joined(separator: "\n\n"), exitCode)
    }
}
