import CORSClient
import CORSCore
import CORSTestSupport
import HTTPTypes

/// How a test endpoint answers one request of a case.
struct ResponseSpec: Sendable, CustomStringConvertible {
    enum AllowOrigin: String, Sendable, CaseIterable {
        case echo, star, none, other, null, trailingSlash, twice
    }

    var status = 200
    var allowOrigin = AllowOrigin.echo
    var allowCredentials = false
    var allowMethods: String?
    var allowHeaders: String?
    var exposeHeaders: String?
    var maxAge: String?

    /// As `allowMethods`: answer with the method the preflight asks for.
    static let echoRequestedMethod = "(echo)"

    var description: String {
        var parts = ["\(status)", "ACAO=\(allowOrigin.rawValue)"]
        if allowCredentials { parts.append("ACAC=true") }
        if let allowMethods { parts.append("ACAM=\(allowMethods)") }
        if let allowHeaders { parts.append("ACAH=\(allowHeaders)") }
        if let exposeHeaders { parts.append("ACEH=\(exposeHeaders)") }
        if let maxAge { parts.append("ACMA=\(maxAge)") }
        return parts.joined(separator: " ")
    }

    func response(origin: String, extra: [(String, String)] = []) -> ScriptedResponse {
        var headers: [(String, String)] = []
        switch allowOrigin {
        case .echo: headers.append(("Access-Control-Allow-Origin", origin))
        case .star: headers.append(("Access-Control-Allow-Origin", "*"))
        case .none: break
        case .other: headers.append(("Access-Control-Allow-Origin", "https://other.example"))
        case .null: headers.append(("Access-Control-Allow-Origin", "null"))
        case .trailingSlash: headers.append(("Access-Control-Allow-Origin", origin + "/"))
        case .twice: headers += [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Origin", origin)]
        }
        if allowCredentials { headers.append(("Access-Control-Allow-Credentials", "true")) }
        if let allowMethods { headers.append(("Access-Control-Allow-Methods", allowMethods)) }
        if let allowHeaders { headers.append(("Access-Control-Allow-Headers", allowHeaders)) }
        if let exposeHeaders { headers.append(("Access-Control-Expose-Headers", exposeHeaders)) }
        if let maxAge { headers.append(("Access-Control-Max-Age", maxAge)) }
        headers += [("Content-Type", "text/plain"), ("X-Custom", "1"), ("X-Other", "2"), ("Cache-Control", "no-store")]
        return ScriptedResponse(status, headers + extra, body: "body")
    }
}

/// One fetch a page makes, and how the endpoint answers it.
struct ConformanceCase: Sendable, CustomStringConvertible {
    var id: Int
    var page: String
    var target: String
    var method: String
    var headers: [(String, String)]
    var credentials: CredentialsMode
    var preflight: ResponseSpec
    var actual: ResponseSpec
    /// When set, the first response is a redirect (with this hop's CORS fields) to the same case on `redirectTo`.
    var redirectHop: ResponseSpec?
    var redirectTo: String?
    /// The first fetch's cache mode (`fetch(url, {cache})`).
    var cache = RequestCacheMode.default
    /// How many times the page makes the first fetch when `later` is empty (2 checks the preflight cache).
    var repeats = 1
    /// The fetches after the first, when they differ from it.
    var later: [PageFetch] = []

    /// One fetch the page makes for the case.
    struct PageFetch: Sendable {
        var method: String
        var headers: [(String, String)]
        var credentials: CredentialsMode
        var cache = RequestCacheMode.default
        /// Seconds the browser's clock moves forward before this fetch (see ``FakeClock``).
        var clockAdvance = 0
    }

    /// The page's fetches, in order.
    var fetches: [PageFetch] {
        let first = PageFetch(method: method, headers: headers, credentials: credentials, cache: cache)
        return later.isEmpty ? Array(repeating: first, count: repeats) : [first] + later
    }

    var path: String { "/c/\(id)" }

    /// The same fetch for the browser model, to the case's `/m/` path (so that the servers count its requests apart
    /// from the browser's).
    var modelRequest: CrossOriginRequest { modelRequest(fetch: 0) }

    /// The model's request for fetch number `index` (from 0) of the case.
    func modelRequest(fetch index: Int) -> CrossOriginRequest {
        let fetch = fetches[index]
        var fields = HTTPFields()
        for (name, value) in fetch.headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return CrossOriginRequest(
            origin: Origin(headerValue: page)!, url: target + "/m/\(id)", method: HTTPRequest.Method(fetch.method)!,
            headerFields: fields, credentials: fetch.credentials, cache: fetch.cache)
    }

    /// The case as a `cors check` command line that replays it (while the test servers run).
    var commandLine: String {
        var words = ["cors check", target + path, "--origin", page]
        if method != "GET" { words += ["-X", method] }
        for (name, value) in headers { words += ["-H", "'\(name): \(value)'"] }
        if credentials != .sameOrigin { words += ["--credentials", credentials.rawValue] }
        return words.joined(separator: " ")
    }

    var description: String {
        var text =
            "#\(id) \(page) → \(method) \(target)\(path) \(headers.map { "\($0.0): \($0.1)" }) \(credentials.rawValue); "
            + "preflight [\(preflight)] actual [\(actual)]"
        if let redirectHop, let redirectTo { text += " via 302 [\(redirectHop)] to \(redirectTo)" }
        let fetches = fetches
        if fetches.count > 1 { text += " ×\(fetches.count)" }
        if fetches.contains(where: { $0.cache != .default }) { text += " cache \(fetches.map(\.cache.rawValue))" }
        return text
    }
}
