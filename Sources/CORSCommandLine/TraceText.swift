import CORSCore
import CORSGateway
import HTTPTypes

/// A ``TraceStep`` in English, as `cors check` prints it and as its JSON `steps` hold it: what kind of step, whether
/// it passed (checks only), one sentence, and the message's lines for requests and responses.
struct TraceText: Encodable, Equatable {
    enum Kind: String, Encodable {
        case request, response, check, note
    }

    let kind: Kind
    let passed: Bool?
    let text: String
    let lines: [String]

    private enum CodingKeys: String, CodingKey {
        case kind, passed, text, lines
    }

    /// `passed` is written as `null` for steps that are not checks.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(OrNull(passed), forKey: .passed)
        try container.encode(text, forKey: .text)
        try container.encode(lines, forKey: .lines)
    }

    private init(_ kind: Kind, passed: Bool? = nil, _ text: String, lines: [String] = []) {
        self.kind = kind
        self.passed = passed
        self.text = text
        self.lines = lines
    }

    private static func note(_ text: String) -> Self { Self(.note, text) }
    private static func passed(_ text: String) -> Self { Self(.check, passed: true, text) }

    // swift-format-ignore: FunctionBodyLength
    init(_ step: TraceStep) {
        switch step {
        case .started(let request):
            self = .note(
                "A page on \(request.origin) fetches \(request.method.rawValue) \(request.url) "
                    + "(mode \(request.mode.rawValue), credentials \(request.credentials.rawValue)).")
        case .headerDropped(let name, .forbidden):
            self = .note("`\(name.rawName)` is a forbidden request-header: the browser drops it.")
        case .headerDropped(let name, .notNoCORSSafelisted):
            self = .note("`\(name.rawName)` is not allowed on a no-cors request: the browser drops it.")
        case .sameOrigin(let origin):
            self = .passed("\(origin) is the page's own origin: no CORS needed.")
        case .noCORSRequest:
            self = .note("Mode no-cors: the request is sent, and the response will be opaque (unreadable).")
        case .simpleRequest:
            self = .note("A simple request: no preflight; the response must pass the CORS check.")
        case .preflightNeeded(let method, let headerNames, let cached):
            var reasons: [String] = []
            if let method { reasons.append("the method \(method.rawValue) is not GET, HEAD or POST") }
            if !headerNames.isEmpty {
                reasons.append("the request sets \(headerNames.joined(separator: ", ")), not CORS-safelisted")
            }
            let because = reasons.joined(separator: "; ")
            self = .note(
                cached
                    ? "A preflight is needed (\(because)), and a cached one still allows it."
                    : "A preflight is needed: \(because).")
        case .preflightCacheBypassed(let browser, let mode, let lookup, let store):
            let parts = [lookup ? nil : "does not look in", store ? nil : "does not store in"].compactMap { $0 }
            self = .note(
                "With cache mode `\(mode.rawValue)`, \(browser) \(parts.joined(separator: " and ")) its preflight cache."
            )
        case .sent(let request):
            self = Self(.request, request.isPreflight ? "Preflight request" : "Request", lines: request.lines)
        case .received(let response):
            let statusLine = "\(response.status.code) \(response.status.reasonPhrase)"
            self = Self(
                .response, "Response \(response.status.code)",
                lines: [String(statusLine.trimmingTabsAndSpaces)]
                    + response.headerFields.map { "\($0.name.rawName): \($0.value)" })
        case .noResponse(let description):
            self = Self(.response, "No response: \(description)")
        case .passedCORSCheck(let allowOrigin, let credentials, let isPreflight):
            self = .passed(
                isPreflight
                    ? "The preflight passes the CORS check (Access-Control-Allow-Origin: \(allowOrigin))."
                    : "The response passes the CORS check (Access-Control-Allow-Origin: \(allowOrigin)"
                        + (credentials ? ", Access-Control-Allow-Credentials: true)." : ")."))
        case .preflightStatusOK(let status):
            self = .passed("The preflight status \(status) is an ok status.")
        case .methodAllowed(let method):
            self = .passed("Access-Control-Allow-Methods allows \(method.rawValue).")
        case .headersAllowed(let names):
            self = .passed("Access-Control-Allow-Headers allows \(names.joined(separator: ", ")).")
        case .preflightCached(let browser, let seconds):
            self = .note(
                seconds > 0
                    ? "\(browser) caches this preflight for \(seconds) s." : "\(browser) does not cache this preflight."
            )
        case .methodChangedToGET(let status, let method):
            self = .note("A \(status) turns \(method.rawValue) into GET without a body.")
        case .authorizationDropped:
            self = .note("The redirect crosses origins: the browser drops Authorization.")
        case .redirected(let count, let url, let origin):
            self = .note("Redirect \(count) to \(url); Origin is now `\(origin)`.")
        case .readable(let status, let names):
            self = .passed(
                "The page can read the response: status \(status), headers "
                    + (names.isEmpty ? "(none)" : names.joined(separator: ", ")) + ".")
        case .unreadable(let type):
            self = Self(.check, passed: false, "The response is \(type.rawValue): the page cannot read it.")
        case .failed(let failure, let detail, let requestOrigin):
            self = Self(
                .check, passed: false,
                failure.summary + (detail.map { " Received: `\($0)`." } ?? "")
                    + (requestOrigin.map { " The request's origin is `\($0)`." } ?? ""))
        }
    }
}
