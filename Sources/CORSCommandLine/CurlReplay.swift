import CORSCore

/// How `cors check --curl` read a pasted command — shown before the verdict, and as `curl` in `--json` — so that a
/// wrong guess (the page's origin, the credentials mode) is visible rather than silently replayed.
struct CurlReplay: Encodable {
    /// `bash` or `cmd`.
    let dialect: String
    let origin: String
    /// `Origin`, `Referer` or `--origin`.
    let originFrom: String
    let credentials: String
    let credentialsReason: String
    /// Fields the browser set itself, not replayed as the page's (lowercased names).
    let notReplayed: [String]
    /// Whether the command's cookies are sent again (with credentialed requests, as the browser sent them).
    let cookies: Bool
    /// Options without effect on the request.
    let ignoredOptions: [String]

    init(command: CurlCommand, page: SentRequest.PageRequest) {
        dialect = command.dialect.rawValue
        origin = page.request.origin.serialization
        originFrom = page.originSource == "given" ? "--origin" : page.originSource
        credentials = page.request.credentials.rawValue
        credentialsReason = page.credentialsReason
        notReplayed = page.browserFields.filter { $0 != "cookie" }
        cookies = command.cookies != nil || page.browserFields.contains("cookie")
        ignoredOptions = command.ignoredOptions
    }

    var text: String {
        var lines = [
            "Replaying a \(dialect) cURL command as the page's fetch:",
            "  page origin \(origin) (from \(originFrom))",
            "  credentials \(credentials): \(credentialsReason)",
        ]
        if credentials == "same-origin", !cookies, credentialsReason != "as given" {
            lines.append("  (--credentials include replays it as a credentialed fetch)")
        }
        if cookies { lines.append("  the command's cookies are sent again with credentialed requests") }
        if !notReplayed.isEmpty {
            lines.append("  set by the browser, not replayed: " + notReplayed.joined(separator: ", "))
        }
        if !ignoredOptions.isEmpty {
            lines.append("  options without effect here: " + ignoredOptions.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
