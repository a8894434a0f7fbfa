public import CORSCore
public import HTTPTypes

/// What a server answers to one request, in a form two evaluations can be compared by: the refusal, the immediate
/// status (`nil` when the handler runs) and the fields written into a response that had none.
public struct ObservedAnswer: Equatable, Sendable, CustomStringConvertible {
    public var rejection: String?
    public var status: Int?
    /// `name: value` lines, sorted, so that field order does not matter.
    public var fields: [String]

    public init(rejection: String?, status: Int?, fields: [(String, String)]) {
        self.rejection = rejection
        self.status = status
        self.fields = fields.map { "\($0.0.lowercased()): \($0.1)" }.sorted()
    }

    /// What `decision` answers.
    public init(_ decision: CORSDecision) {
        var written = HTTPFields()
        decision.apply(to: &written)
        self.init(
            rejection: decision.rejection.map { "\($0.code) \($0.detail ?? "")" },
            status: decision.immediateResponse.map { $0.status.code },
            fields: written.map { ($0.name.canonicalName, $0.value) })
    }

    public var description: String {
        "rejection: \(rejection ?? "none"), status: \(status.map(String.init) ?? "handler"), fields: \(fields)"
    }
}

/// A straightforward evaluation of a policy without routes, written from the Fetch Standard's rules and the policy's
/// documented behaviour with the public API only, one step after the other and allocating freely. The engine's
/// `CORSPolicy.evaluate` must answer every request as this does, whatever shortcuts it takes (origins matched as
/// bytes, answers built once, preflight answers remembered).
///
/// It assumes what the generators of its callers respect: `exposeHeaders` names no safelisted, forbidden or
/// prohibited header (those are dropped by the engine, not modelled here).
public func referenceAnswer(_ configuration: CORSPolicy.Configuration, _ request: HTTPRequest) -> ObservedAnswer {
    let fields = request.headerFields
    let wildcard = configuration.allowOrigins.contains("*")
    let credentials = configuration.allowCredentials
    var actualFields: [(String, String)] = []
    if credentials { actualFields.append(("access-control-allow-credentials", "true")) }
    if configuration.exposeHeaders.contains("*") {
        actualFields.append(("access-control-expose-headers", "*"))
    } else if !configuration.exposeHeaders.isEmpty {
        var names: [String] = []
        for name in configuration.exposeHeaders.map({ $0.lowercased() }) where !names.contains(name) {
            names.append(name)
        }
        actualFields.append(("access-control-expose-headers", names.joined(separator: ",")))
    }
    let originVary: [(String, String)] = wildcard ? [] : [("vary", "Origin")]

    let origins = fields[values: .origin]
    // https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches: a response that is the same for every origin
    // needs no Vary.
    guard let origin = origins.first else {
        let answer = wildcard ? [("access-control-allow-origin", "*")] + actualFields : originVary
        return ObservedAnswer(rejection: nil, status: nil, fields: answer)
    }
    let requestMethods = fields[values: .accessControlRequestMethod]
    let isPreflight = request.method == .options && !requestMethods.isEmpty
    let vary: [(String, String)] =
        isPreflight
        ? [("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")] : originVary
    func refuse(_ code: String, _ detail: String? = nil) -> ObservedAnswer {
        ObservedAnswer(rejection: "\(code) \(detail ?? "")", status: isPreflight ? 403 : nil, fields: vary)
    }

    guard origins.count == 1 else { return refuse("multiple-origins") }
    if !wildcard {
        guard let parsed = Origin(headerValue: origin), !parsed.isOpaque else {
            return refuse(origin == "null" ? "origin-not-allowed" : "malformed-origin")
        }
        let patterns = configuration.allowOrigins.compactMap { try? OriginPattern($0) }
        guard patterns.contains(where: { $0.matches(parsed) }) else { return refuse("origin-not-allowed") }
    }
    let allowOrigin = ("access-control-allow-origin", wildcard ? "*" : origin)
    guard isPreflight else {
        return ObservedAnswer(rejection: nil, status: nil, fields: [allowOrigin] + actualFields + vary)
    }

    // https://fetch.spec.whatwg.org/#cors-preflight-fetch: the method, then the headers.
    guard requestMethods.count == 1, let method = HTTPRequest.Method(requestMethods[0]) else {
        return refuse("invalid-request-method")
    }
    var answer = [allowOrigin]
    if !method.isCORSSafelisted {
        let allowed =
            configuration.allowMethods.contains("*")
            || configuration.allowMethods.contains { HTTPRequest.Method($0)?.normalized.rawValue == method.rawValue }
        guard !method.isForbidden, allowed else { return refuse("method-not-allowed", method.rawValue) }
        answer.append(("access-control-allow-methods", method.rawValue))
    }
    // The list as Fetch reads it (https://fetch.spec.whatwg.org/#concept-header-list-get): the lines joined by
    // commas, split on commas, each element trimmed of spaces and tabs, empty elements skipped. Elements are checked
    // in order and the first problem refuses: a name that is not a token, or one the policy does not allow. The
    // lines are read as the bytes received (a value that is not UTF-8 is still counted and split as bytes).
    let lineFields = fields.filter { $0.name == .accessControlRequestHeaders }
    let lines = lineFields.map { $0.withUnsafeBytesOfValue { Array($0) } }
    if !lines.isEmpty {
        let allowedNames = Set(configuration.allowHeaders.map { $0.lowercased() })
        // The limits (HeaderList.Limits.default) come first, line by line: the bytes so far, then the elements so
        // far counted as one more than the commas.
        let limits = HeaderList.Limits.default
        var totalBytes = 0
        var elementCount = 0
        for line in lines {
            totalBytes += line.count
            if totalBytes > limits.maximumBytes {
                return refuse("invalid-request-headers", "\(HeaderList.Failure.tooLong)")
            }
            elementCount += 1 + line.count { $0 == UInt8(ascii: ",") }
            if elementCount > limits.maximumElements {
                return refuse("invalid-request-headers", "\(HeaderList.Failure.tooManyElements)")
            }
        }
        // On bytes, as Fetch does: a space followed by a combining mark is still a space to trim.
        let isWhitespace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let elements = Array(lines.joined(separator: [UInt8(ascii: ",")]))
            .split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            .map {
                String(
                    decoding: $0.drop(while: isWhitespace).reversed().drop(while: isWhitespace).reversed(),
                    as: UTF8.self)
            }
            .filter { !$0.isEmpty }
        for name in elements {
            guard name.utf8.allSatisfy(isTokenByte) else {
                return refuse("invalid-request-headers", "\(HeaderList.Failure.invalidElement(name))")
            }
            let lower = name.lowercased()
            guard allowedNames.contains(lower) || (allowedNames.contains("*") && lower != "authorization") else {
                return refuse("header-not-allowed", name)
            }
        }
        // The line as sent when it is one clean list, otherwise the names rebuilt.
        let isClean =
            lines.count == 1 && lines[0].first != UInt8(ascii: ",") && lines[0].last != UInt8(ascii: ",")
            && !lines[0].contains(where: isWhitespace)
            && !zip(lines[0], lines[0].dropFirst()).contains { $0 == UInt8(ascii: ",") && $1 == UInt8(ascii: ",") }
        answer.append(
            ("access-control-allow-headers", isClean ? lineFields[0].value : elements.joined(separator: ",")))
    }
    if credentials { answer.append(("access-control-allow-credentials", "true")) }
    if let maxAge = configuration.maxAge { answer.append(("access-control-max-age", String(maxAge))) }
    return ObservedAnswer(rejection: nil, status: configuration.preflightSuccessStatus, fields: answer + vary)
}

/// RFC 9110 `tchar`.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    default:
        "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

/// Random policies and requests for the differential test and fuzzer: origins exact, wildcard and near misses,
/// methods in every case, header lists clean, spaced, empty and hostile, duplicated fields.
public struct RequestGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    public mutating func pick<T>(_ choices: [T]) -> T { choices[Int(next() % UInt64(choices.count))] }

    mutating func some<T>(_ choices: [T], upTo count: Int) -> [T] {
        (0..<Int(next() % UInt64(count + 1))).map { _ in pick(choices) }
    }

    static let allowedOrigins = [
        "https://app.example.com", "http://localhost:5173", "https://*.example.org", "http://localhost:*",
        "https://a.example.net:8443", "https://*.b.example.com:*", "http://127.0.0.1:8080", "https://[::1]",
    ]

    static let requestOrigins = [
        "https://app.example.com", "http://localhost:5173", "https://x.example.org", "https://deep.x.example.org",
        "https://example.org", "http://localhost", "http://localhost:1", "https://a.example.net:8443",
        "https://a.example.net", "https://c.b.example.com:9", "https://b.example.com", "http://127.0.0.1:8080",
        "https://[::1]", "https://[0:0::1]", "null", "https://APP.example.com", "https://app.example.com/",
        "https://app.example.com:443", "https://app.example.com.evil.net", "https://evil.example", "",
        "https://app.example.com, https://evil.example", "ftp://app.example.com", "https://x.example.org:444",
        "http://x.example.org", "https://0x7f.example.org", "https://1.2.3.4", "https://a..example.org",
    ]

    static let headerNames = ["x-a", "X-A", "content-type", "Content-Type", "x-b", "authorization", "x-other", "*"]

    /// A valid policy without routes.
    public mutating func policy() -> CORSPolicy.Configuration {
        let credentials = next() % 2 == 0
        var origins = some(Self.allowedOrigins, upTo: 4)
        if origins.isEmpty || (!credentials && next() % 6 == 0) {
            origins = credentials ? [Self.allowedOrigins[0]] : ["*"]
        }
        var expose = some(["x-total", "X-Request-ID", "x-total"], upTo: 3)
        if !credentials, next() % 5 == 0 { expose = ["*"] }
        return CORSPolicy.Configuration(
            allowOrigins: origins, allowMethods: some(["PUT", "delete", "PATCH", "patch", "*", "GET"], upTo: 3),
            allowHeaders: some(Self.headerNames.filter { $0 != "x-other" }, upTo: 3), exposeHeaders: expose,
            allowCredentials: credentials, maxAge: next() % 2 == 0 ? 600 : nil,
            preflightSuccessStatus: pick([204, 200]),
            dangerouslyAllowInsecureOriginsWithCredentials: true)
    }

    /// A request that may be a preflight, an actual request or not CORS at all; half of its origins and header names
    /// are the policy's own, so that many are allowed.
    public mutating func request(for configuration: CORSPolicy.Configuration) -> HTTPRequest {
        var fields = HTTPFields()
        let exact = configuration.allowOrigins.filter { !$0.contains("*") }
        for _ in 0..<pick([1, 1, 1, 1, 0, 2]) {
            let origin = !exact.isEmpty && next() % 2 == 0 ? pick(exact) : pick(Self.requestOrigins)
            fields.append(HTTPField(name: .origin, lenientValue: Array(origin.utf8)))
        }
        for _ in 0..<pick([1, 1, 1, 0, 2]) {
            let method = pick([
                "PUT", "PUT", "put", "DELETE", "delete", "PATCH", "GET", "POST", "TRACE", "", "P U T", "X-M",
            ])
            fields.append(HTTPField(name: .accessControlRequestMethod, lenientValue: Array(method.utf8)))
        }
        for _ in 0..<pick([1, 1, 0, 2]) {
            let own = configuration.allowHeaders.filter { $0 != "*" }
            let pool = next() % 2 == 0 && !own.isEmpty ? own : Self.headerNames.filter { $0 != "*" } + ["bad name", ""]
            let names = some(pool, upTo: 4)
            let line = names.joined(separator: pick([",", ",", ", ", ",,"]))
            fields.append(HTTPField(name: .accessControlRequestHeaders, lenientValue: Array(line.utf8)))
        }
        if next() % 4 == 0 { fields.append(HTTPField(name: .accept, value: "*/*")) }
        return HTTPRequest(
            method: pick([.options, .options, .get, .post]), scheme: "https", authority: "api.example.com",
            path: "/items", headerFields: fields)
    }
}
