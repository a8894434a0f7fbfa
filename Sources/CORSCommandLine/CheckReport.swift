import CORSCore
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

    static func text(_ result: FetchResult, color: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
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
        lines.append("")
        if result.isReadable {
            let names = result.readableHeaderNames
            lines.append(
                paint("ALLOWED", "1;32")
                    + ": the page can read the response (status \(result.status); readable headers: "
                    + (names.isEmpty ? "none" : names.joined(separator: ", ")) + ").")
        } else if let failure = result.failure {
            lines.append(paint("BLOCKED", "1;31") + ": " + failure.summary)
            var names = ["id: \(failure.code)"]
            if let chromium = failure.chromium { names.append("Chromium: \(chromium)") }
            if let firefox = failure.firefox { names.append("Firefox: \(firefox)") }
            lines.append("  " + names.joined(separator: " · "))
            if let detail = result.failureDetail { lines.append("  Value: `\(detail)`") }
            lines.append(paint("  Fix: ", "1") + failure.fix)
        } else {
            lines.append(
                paint("BLOCKED", "1;31") + ": the response is \(result.type.rawValue), so script cannot read it.")
        }
        return lines.joined(separator: "\n").trimmingPrefixNewlines
    }

    static func json(_ result: FetchResult) -> String {
        func fields(_ fields: HTTPFields) -> String {
            "["
                + fields.map {
                    JSONText.object([("name", JSONText.string($0.name.rawName)), ("value", JSONText.string($0.value))])
                }
                .joined(separator: ",") + "]"
        }
        func request(_ request: OutgoingRequest) -> String {
            JSONText.object([
                ("method", JSONText.string(request.method.rawValue)), ("url", JSONText.string(request.url)),
                ("headers", fields(request.headerFields)),
                ("credentials", request.includesCredentials ? "true" : "false"),
            ])
        }
        func response(_ response: HTTPResponse?) -> String {
            guard let response else { return "null" }
            return JSONText.object([
                ("status", String(response.status.code)), ("headers", fields(response.headerFields)),
            ])
        }
        let preflight = result.preflight.map {
            JSONText.object([("sent", "true"), ("request", request($0.request)), ("response", response($0.response))])
        }
        let failure = result.failure.map { failure in
            JSONText.object([
                ("id", JSONText.string(failure.code)), ("chromium", failure.chromium.map(JSONText.string) ?? "null"),
                ("firefox", failure.firefox.map(JSONText.string) ?? "null"),
                ("summary", JSONText.string(failure.summary)),
                ("fix", JSONText.string(failure.fix)), ("detail", result.failureDetail.map(JSONText.string) ?? "null"),
            ])
        }
        let steps = result.trace.map(TraceText.init).map { step in
            JSONText.object([
                ("kind", JSONText.string(step.kind.rawValue)),
                ("passed", step.passed.map { $0 ? "true" : "false" } ?? "null"),
                ("text", JSONText.string(step.text)),
                ("lines", "[" + step.lines.map(JSONText.string).joined(separator: ",") + "]"),
            ])
        }
        let finalExchange = result.exchanges.last { !$0.request.isPreflight }
        return JSONText.object([
            ("allowed", result.isReadable ? "true" : "false"),
            ("type", JSONText.string(result.type.rawValue)),
            ("preflight", preflight ?? "null"),
            ("response", response(finalExchange?.response)),
            ("exposedHeaders", "[" + result.readableHeaderNames.map(JSONText.string).joined(separator: ",") + "]"),
            ("failure", failure ?? "null"),
            ("requests", "[" + result.exchanges.map { request($0.request) }.joined(separator: ",") + "]"),
            ("steps", "[" + steps.joined(separator: ",") + "]"),
        ])
    }
}

extension String {
    fileprivate var trimmingPrefixNewlines: String { String(drop(while: { $0 == "\n" })) }
}
