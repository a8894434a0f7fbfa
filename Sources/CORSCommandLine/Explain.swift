package import ArgumentParser
import CORSCore
import CORSGateway
import HTTPTypes

/// `cors explain FILE.har`: why each cross-origin request in a recording failed, offline.
package struct Explain: ParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Explain, offline, why the cross-origin requests in a HAR file failed.",
        discussion: """
            Save the recording from DevTools (Network panel, "Save all as HAR" in Chromium, "Save All As HAR" in \
            Firefox). Each cross-origin request is run through the browser model with the responses the file \
            recorded — its preflight, its response, each redirect — and every failure gets the verdict, id and fix \
            `cors check` gives. Nothing is sent anywhere.

            The engine is the one that recorded the file (its `creator`), unless --browser says otherwise. A HAR does \
            not record the credentials mode: cookies sent mean include; otherwise the fetch default is assumed, or \
            include when the browser recorded a failure that only credentials explain (the report says which).

            HAR files hold secrets. The values of Cookie, Authorization, Proxy-Authorization and Set-Cookie are \
            replaced by [redacted] before anything reads them; --reveal NAME shows one.

            Exit status: 0 no cross-origin request was blocked, 1 at least one was, 2 the file cannot be read or is \
            not a HAR, 64 usage error.

            Examples:
              cors explain session.har
              cors explain session.har --all --trace
              cors explain session.har --json | jq '.requests[] | select(.verdict == "blocked") | .failure.id'
            """
    )

    @Argument(help: "The HAR file.")
    var file: String

    @Option(help: "The engine to follow: chromium, firefox, webkit or spec (default: the one that recorded the file).")
    var browser: BrowserChoice?

    @Option(help: "Assume this credentials mode for every request instead of inferring it.")
    var credentials: CredentialsMode?

    @Flag(help: "List readable requests too, not only failures.")
    var all = false

    @Flag(help: "Show each request's steps: the requests and responses as recorded, and every check.")
    var trace = false

    @Option(help: "Show the value of a redacted header field (repeatable), e.g. --reveal authorization.")
    var reveal: [String] = []

    @OptionGroup var output: OutputOptions

    package init() {}

    package func run() throws {
        let (text, code) = execute()
        print(text)
        if code != 0 { throw ExitCode(code) }
    }

    /// The report and the exit status.
    func execute() -> (output: String, exitCode: Int32) {
        let har: HAR
        do {
            har = try HAR(contentsOf: file)
        } catch {
            return (output.json ? JSONOutput.encode(["error": error.description]) : error.description, 2)
        }
        let recordedBy = [har.log.browser?.name ?? har.log.creator?.name, har.log.browser?.version]
            .compactMap { $0 }.joined(separator: " ")
        let engine = browser ?? Self.engine(recordedBy: recordedBy)
        let redacted = HARReplay.redactedByDefault.subtracting(reveal.map { $0.lowercased() })
        let replay = HARReplay(har: har, profile: engine.profile, redacted: redacted, credentials: credentials)
        let (explained, notCORS) = replay.run()
        let report = ExplainReport(
            file: file, recordedBy: recordedBy, engine: engine.rawValue, redacted: redacted.sorted(),
            entries: har.log.entries.count, preflights: har.log.entries.filter(\.isPreflight).count, notCORS: notCORS,
            explained: explained)
        let blocked = explained.contains { $0.result.map { !$0.isReadable } ?? false }
        return (output.json ? JSONOutput.encode(report) : report.text(all: all, trace: trace), blocked ? 1 : 0)
    }

    /// The engine whose DevTools wrote the file: Firefox, WebKit (Safari's Web Inspector), else Chromium's
    /// `WebInspector`.
    static func engine(recordedBy: String) -> BrowserChoice {
        let name = recordedBy.lowercased()
        if name.contains("firefox") { return .firefox }
        if name.contains("webkit") || name.contains("safari") { return .webkit }
        return .chromium
    }
}

/// What `cors explain` prints: text per request, or one JSON document (`--json`).
struct ExplainReport: Encodable {
    struct Request: Encodable {
        let entry: Int
        let method: String
        let url: String
        let origin: String
        let credentials: String
        let credentialsReason: String
        let preflightEntry: OrNull<Int>
        /// `allowed`, `blocked` or `unresolved`.
        let verdict: String
        let failure: OrNull<CheckJSON.Failure>
        let reason: OrNull<String>
        let recordedFailure: Bool
        let steps: [TraceText]
    }

    let file: String
    let recordedBy: String
    let browser: String
    let redacted: [String]
    let entries: Int
    let preflights: Int
    let notCORS: Int
    let requests: [Request]
    /// The model's results, for `--trace` (not part of the JSON, which has each request's `steps`).
    private let results: [FetchResult?]

    private enum CodingKeys: String, CodingKey {
        case file, recordedBy, browser, redacted, entries, preflights, notCORS, requests
    }

    init(
        file: String, recordedBy: String, engine: String, redacted: [String], entries: Int, preflights: Int,
        notCORS: Int, explained: [HARReplay.Explained]
    ) {
        self.preflights = preflights
        self.file = file
        self.recordedBy = recordedBy
        self.browser = engine
        self.redacted = redacted
        self.entries = entries
        self.notCORS = notCORS
        results = explained.map(\.result)
        requests = explained.map { item in
            let request = item.page.request
            let verdict = item.result.map { $0.isReadable ? "allowed" : "blocked" } ?? "unresolved"
            return Request(
                entry: item.entry, method: request.method.rawValue, url: request.url,
                origin: request.origin.serialization, credentials: request.credentials.rawValue,
                credentialsReason: item.page.credentialsReason, preflightEntry: OrNull(item.preflightEntry),
                verdict: verdict, failure: OrNull(item.result.flatMap(CheckJSON.Failure.init)),
                reason: OrNull(item.unresolved), recordedFailure: item.recordedFailure,
                steps: item.result?.trace.map(TraceText.init) ?? [])
        }
    }

    private func count(_ verdict: String) -> Int { requests.filter { $0.verdict == verdict }.count }

    func text(all: Bool, trace: Bool) -> String {
        var lines = [
            "\(file): recorded by \(recordedBy.isEmpty ? "an unnamed tool" : recordedBy), explained as \(browser) "
                + "would; values of \(redacted.joined(separator: ", ")) are redacted.",
            "\(entries) entries: \(requests.count) cross-origin request\(requests.count == 1 ? "" : "s") "
                + "(\(count("allowed")) readable, \(count("blocked")) blocked, \(count("unresolved")) unresolved), "
                + "\(preflights) preflight\(preflights == 1 ? "" : "s"), "
                + "\(notCORS) not CORS (same-origin, navigations, no Origin).",
        ]
        for (request, result) in zip(requests, results) where all || request.verdict != "allowed" {
            lines.append("")
            lines.append("#\(request.entry) \(request.method) \(request.url)")
            var context = "  from \(request.origin), credentials \(request.credentials)"
            if let preflight = request.preflightEntry.value { context += ", preflight #\(preflight)" }
            lines.append(context)
            if request.credentialsReason.hasPrefix("inferred") {
                lines.append("  credentials " + request.credentialsReason)
            }
            if let failure = request.failure.value {
                lines += CheckReport.failureLines(failure).map { "  " + $0 }
            } else if let reason = request.reason.value {
                lines.append("  UNRESOLVED: " + reason)
            } else if request.verdict == "blocked" {
                lines.append("  BLOCKED: the response is opaque, so script cannot read it.")
            } else {
                lines.append("  ALLOWED")
            }
            if trace, let result {
                lines += CheckReport.conversationLines(result).map { $0.isEmpty ? "" : "    " + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension CheckJSON.Failure {
    init?(_ result: FetchResult) {
        guard let failure = result.failure else { return nil }
        self.init(
            id: failure.code, chromium: OrNull(failure.chromium), firefox: OrNull(failure.firefox),
            summary: failure.summary, fix: failure.fix, detail: OrNull(result.failureDetail))
    }
}
