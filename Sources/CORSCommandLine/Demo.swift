package import ArgumentParser
import CORSClient
import CORSCore
import CORSGateway
import HTTPTypes
import Logging
import ServiceLifecycle

/// `cors demo`: the threat model, on loopback, in five scenarios.
package struct Demo: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Run the CORS threat model on loopback: a bank, its app, an attacker, a partner.",
        discussion: """
            Starts, on loopback only: a bank API (a session cookie; a CORS policy that trusts only the bank's app and a \
            partner; cross-origin protection), the bank's app page, an attacker's page, a partner's page, and a legacy \
            API answering `*` with credentials. Then replays five scenarios with the browser model and prints each \
            conversation as `cors check` does. With --serve, the servers stay up and the pages can be opened in a \
            real browser.
            """
    )

    @Flag(help: "Keep the servers running and print the URLs to open in a browser (Ctrl-C stops).")
    var serve = false

    @OptionGroup var output: OutputOptions
    var json: Bool { output.json }

    package init() {}

    package func run() async throws {
        var logger = Logger(label: "cors.demo")
        logger.logLevel = serve ? .info : .critical
        let (world, task) = try await DemoWorld.start(logger: logger)
        let report = await Self.scenarios(world, json: json, color: !json && isTerminal)
        print(report)
        if serve {
            print(
                """

                Open in a browser (Chromium: try `chromium --user-data-dir=/tmp/cors-demo`):
                  the bank's app     \(world.app)/
                  the attacker       \(world.attacker)/
                  the partner        \(world.partner)/
                  bank API           \(world.api)/balance
                Refused requests are logged below. Ctrl-C stops.
                """)
            fflush(nil)
            try await task.value
        } else {
            await world.group.triggerGracefulShutdown()
            try await task.value
        }
    }

    var isTerminal: Bool { isatty(1) != 0 && getenv("NO_COLOR") == nil }

    /// Runs the five scenarios against `world` and returns the report.
    static func scenarios(_ world: DemoWorld, json: Bool, color: Bool) async -> String {
        let cookies = CookieJar()
        cookies.set(DemoWorld.session, forHost: "127.0.0.1")
        let client = CORSClient(profile: .chromium, cookies: cookies, timeoutSeconds: 10)
        func origin(_ text: String) -> Origin { Origin(headerValue: text)! }
        var sections: [(title: String, story: String, result: FetchResult, note: String)] = []

        let balanceHitsBefore = world.handled("/balance")
        let read = await client.fetch(
            CrossOriginRequest(origin: origin(world.attacker), url: world.api + "/balance", credentials: .include)
        ).result
        sections.append(
            (
                "1. The attacker's page reads Alice's balance",
                "Alice is logged in to her bank; a page in another tab fetches her balance with her cookies.",
                read,
                "The request reached the bank (its handler ran \(world.handled("/balance") - balanceHitsBefore) time) — "
                    + "CORS does not stop requests. The browser blocked the read: the bank did not allow that origin."
            ))

        let transfer = await client.fetch(
            CrossOriginRequest(
                origin: origin(world.attacker), url: world.api + "/transfer", method: .post,
                headerFields: [.contentType: "application/x-www-form-urlencoded"], mode: .noCORS, credentials: .include),
            body: Array("to=attacker&amount=1000".utf8)
        ).result
        let refusal = transfer.exchanges.last?.response.map { "\($0.status.code)" } ?? "no response"
        let sentSite = transfer.exchanges.last?.request.headerFields[HTTPField.Name("Sec-Fetch-Site")!] ?? "none"
        sections.append(
            (
                "2. The attacker's page submits a form: POST /transfer",
                "A simple form-style POST needs no preflight: it reaches the server with Alice's cookies.",
                transfer,
                "The bank answered \(refusal): cross-origin protection refused it (Sec-Fetch-Site: \(sentSite), not the "
                    + "bank's own origin). Transfers made: \(world.handled("/transfer"))."
            ))

        let partner = await client.fetch(
            CrossOriginRequest(origin: origin(world.partner), url: world.api + "/balance", credentials: .include)
        ).result
        sections.append(
            (
                "3. The partner reads the balance with credentials",
                "The bank's policy lists the partner's origin and allows credentials.",
                partner,
                "Allowed: Access-Control-Allow-Origin names the partner, and Access-Control-Allow-Credentials is true."
            ))

        let put = CrossOriginRequest(
            origin: origin(world.app), url: world.api + "/settings", method: .put,
            headerFields: [.contentType: "application/json", HTTPField.Name("X-Request-ID")!: "42"],
            credentials: .include)
        let firstPut = await client.fetch(put, body: Array(#"{"alerts":true}"#.utf8)).result
        let secondPut = await client.fetch(put, body: Array(#"{"alerts":false}"#.utf8)).result
        sections.append(
            (
                "4. The bank's app sends PUT with a custom header",
                "PUT and X-Request-ID are not CORS-safelisted: the browser asks first (a preflight), and caches the answer.",
                firstPut,
                "Sent again: "
                    + (secondPut.preflight == nil && secondPut.isReadable
                        ? "no preflight this time — the answer is cached for max-age (600 s here; Chromium keeps at most 2 h)."
                        : "preflighted again (unexpected).")
            ))

        let legacy = await client.fetch(
            CrossOriginRequest(origin: origin(world.app), url: world.legacy + "/balance", credentials: .include)
        ).result
        sections.append(
            (
                "5. A legacy server answers `*` to a credentialed request",
                "Its CORS layer sends Access-Control-Allow-Origin: * and Access-Control-Allow-Credentials: true.",
                legacy,
                "Browsers refuse `*` with credentials; servers that \"fix\" this by reflecting every origin let any site read. "
                    + "swift-cors refuses such a policy when it is built."
            ))
        try? await client.shutdown()

        if json {
            return JSONOutput.encode(
                DemoJSON(
                    bank: world.api,
                    actors: world.actors.map {
                        .init(role: $0.role, origin: $0.origin, relationToBank: $0.relation.rawValue)
                    },
                    scenarios: sections.map {
                        .init(title: $0.title, story: $0.story, note: $0.note, result: CheckJSON($0.result))
                    }))
        }
        func row(_ role: String, _ origin: String, _ relation: String) -> String {
            func padded(_ text: String, _ width: Int) -> String {
                text + String(repeating: " ", count: max(1, width - text.count))
            }
            let line = "  " + padded(role, 17) + padded(origin, 34) + relation
            return String(line[...(line.lastIndex { $0 != " " } ?? line.startIndex)])
        }
        var text = [
            "swift-cors demo — everything runs on loopback", row("", "origin", "seen from the bank"),
            row("the bank's API", world.api, ""),
        ]
        text += world.actors.map { row($0.role, $0.origin, $0.relation.rawValue) }
        text += [row("a legacy API", world.legacy, ""), ""]
        for section in sections {
            text.append(color ? "\u{1B}[1m\(section.title)\u{1B}[0m" : section.title)
            text.append(section.story)
            text.append("")
            text.append(
                CheckReport.text(section.result, color: color).split(separator: "\n").map { "    " + $0 }
                    .joined(separator: "\n"))
            text.append("")
            text.append("  → " + section.note)
            text.append("")
        }
        return text.joined(separator: "\n")
    }
}

/// `cors demo --json`: the bank, the actors with their relation to it, and each scenario's fetch as `cors check`
/// reports it.
struct DemoJSON: Encodable {
    struct Actor: Encodable {
        let role: String
        let origin: String
        let relationToBank: String
    }

    struct Scenario: Encodable {
        let title: String
        let story: String
        let note: String
        let result: CheckJSON
    }

    let bank: String
    let actors: [Actor]
    let scenarios: [Scenario]
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
