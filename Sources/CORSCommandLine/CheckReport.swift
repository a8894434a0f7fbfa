import CORSCore
import CORSGateway
import HTTPTypes

/// How `cors check` presents a ``FetchResult``: text like a good explainer, or one JSON object.
enum CheckReport {
    /// 0 readable, 1 blocked, 2 the check could not run.
    static func exitCode(_ result: FetchResult) -> Int32 {
        if result.isReadable { return 0 }
        switch result.failure {
        case .invalidURL?, .networkError?, .preflightNetworkError?: return 2
        default: return 1
        }
    }

    /// Each step of a fetch as `check` shows it: requests (→) and responses (←) with their fields, checks (✓ ✗), notes.
    static func conversationLines(
        _ result: FetchResult, paint: (String, String) -> String = { text, _ in text }
    ) -> [String] {
        var lines: [String] = []
        for event in result.trace {
            let step = TraceText(event)
            switch step.kind {
            case .request:
                var isPreflight = false
                if case .sent(let request) = event { isPreflight = request.isPreflight }
                lines.append("")
                lines.append(
                    paint("→ " + (step.lines.first ?? step.text), "1;36")
                        + (isPreflight ? paint("   (preflight)", "2") : ""))
                lines += step.lines.dropFirst().map { "  " + $0 }
            case .response:
                lines.append(paint("← " + (step.lines.first ?? step.text), "1;35"))
                lines += step.lines.dropFirst().map { "  " + $0 }
            case .check:
                let passed = step.passed ?? false
                lines.append(passed ? paint("✓ ", "32") + step.text : paint("✗ ", "31") + step.text)
            case .note:
                lines.append(paint("  " + step.text, "2"))
            }
        }
        return lines
    }

    static func text(_ result: FetchResult, color: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines = conversationLines(result, paint: paint)
        lines.append("")
        if result.isReadable {
            let names = result.readableHeaderNames
            lines.append(
                paint("ALLOWED", "1;32")
                    + ": the page can read the response (status \(result.status); readable headers: "
                    + (names.isEmpty ? "none" : names.joined(separator: ", ")) + ").")
        } else if let failure = CheckJSON.Failure(result) {
            lines += failureLines(failure, paint: paint)
        } else {
            lines.append(
                paint("BLOCKED", "1;31") + ": the response is \(result.type.rawValue), so script cannot read it.")
        }
        return lines.joined(separator: "\n").trimmingPrefixNewlines
    }

    /// The verdict of a blocked fetch: summary, id and the engines' names for it, the value at fault, the fix.
    static func failureLines(_ failure: CheckJSON.Failure, paint: (String, String) -> String = { text, _ in text })
        -> [String]
    {
        var names = ["id: \(failure.id)"]
        if let chromium = failure.chromium.value { names.append("Chromium: \(chromium)") }
        if let firefox = failure.firefox.value { names.append("Firefox: \(firefox)") }
        var lines = [paint("BLOCKED", "1;31") + ": " + failure.summary, "  " + names.joined(separator: " · ")]
        if let detail = failure.detail.value { lines.append("  Value: `\(detail)`") }
        lines.append(paint("  Fix: ", "1") + failure.fix)
        return lines
    }

    static func json(_ result: FetchResult, replay: CurlReplay? = nil) -> String {
        JSONOutput.encode(CheckJSON(result, curl: replay))
    }

    /// `--repeat N --json`: every fetch, and what the preflight cache did.
    static func json(repeated results: [FetchResult], browser: BrowserChoice, replay: CurlReplay?) -> String {
        JSONOutput.encode(RepeatedCheckJSON(results, browser: browser, replay: replay))
    }
}

/// `cors check --json`: one object per fetch (its fields are documented in the README, "Debugging a CORS error").
struct CheckJSON: Encodable {
    struct Request: Encodable {
        let method: String
        let url: String
        let headers: [FieldJSON]
        let credentials: Bool

        init(_ request: OutgoingRequest) {
            method = request.method.rawValue
            url = request.url
            headers = request.headerFields.map { FieldJSON(name: $0.name.rawName, value: $0.value) }
            credentials = request.includesCredentials
        }
    }

    struct Response: Encodable {
        let status: Int
        let headers: [FieldJSON]

        init(_ response: HTTPResponse) {
            status = response.status.code
            headers = response.headerFields.map { FieldJSON(name: $0.name.rawName, value: $0.value) }
        }
    }

    struct Preflight: Encodable {
        let sent = true
        let request: Request
        let response: OrNull<Response>
    }

    struct Failure: Encodable {
        let id: String
        let chromium: OrNull<String>
        let firefox: OrNull<String>
        let summary: String
        let fix: String
        let detail: OrNull<String>
    }

    let allowed: Bool
    let type: String
    let preflight: OrNull<Preflight>
    let response: OrNull<Response>
    let exposedHeaders: [String]
    let failure: OrNull<Failure>
    let requests: [Request]
    let steps: [TraceText]
    /// With `--curl` only: how the command was read.
    let curl: CurlReplay?

    init(_ result: FetchResult, curl: CurlReplay? = nil) {
        self.curl = curl
        allowed = result.isReadable
        type = result.type.rawValue
        preflight = OrNull(
            result.preflight.map {
                Preflight(request: Request($0.request), response: OrNull($0.response.map(Response.init)))
            })
        response = OrNull(result.exchanges.last { !$0.request.isPreflight }?.response.map(Response.init))
        exposedHeaders = result.readableHeaderNames
        failure = OrNull(Failure(result))
        requests = result.exchanges.map { Request($0.request) }
        steps = result.trace.map(TraceText.init)
    }
}

/// `cors check --repeat N --json`: each fetch's report, in order, and what the preflight cache did.
struct RepeatedCheckJSON: Encodable {
    let browser: String
    /// Whether every fetch was readable.
    let allowed: Bool
    let preflightsSent: Int
    let preflightsFromCache: Int
    let fetches: [CheckJSON]
    /// With `--curl` only: how the command was read.
    let curl: CurlReplay?

    init(_ results: [FetchResult], browser: BrowserChoice, replay: CurlReplay?) {
        self.browser = browser.rawValue
        allowed = results.allSatisfy(\.isReadable)
        (preflightsSent, preflightsFromCache) = Self.preflights(results)
        fetches = results.map { CheckJSON($0) }
        curl = replay
    }

    /// How many fetches sent a preflight, and how many found theirs in the cache.
    static func preflights(_ results: [FetchResult]) -> (sent: Int, fromCache: Int) {
        var sent = 0
        var fromCache = 0
        for result in results {
            for step in result.trace {
                if case .preflightNeeded(_, _, let cached) = step {
                    if cached { fromCache += 1 } else { sent += 1 }
                }
            }
        }
        return (sent, fromCache)
    }

    /// One line: readable or not, and the cache's part.
    static func summary(_ results: [FetchResult], browser: BrowserChoice) -> String {
        let (sent, fromCache) = preflights(results)
        let readable = results.filter(\.isReadable).count
        return "\(results.count) fetches as \(browser.rawValue) would make them: \(readable) readable; "
            + "\(sent) preflight\(sent == 1 ? "" : "s") sent, \(fromCache) taken from the preflight cache."
    }
}

extension String {
    fileprivate var trimmingPrefixNewlines: String { String(drop(while: { $0 == "\n" })) }
}
