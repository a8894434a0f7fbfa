import HTTPTypes

/// One validated set of CORS rules (the top level or one route), with its response fields precomputed so that
/// evaluating a request allocates nothing that could have been built once. A class, so that finding the rules for a
/// request is one reference, not a copy of every field.
final class CompiledRules: Sendable {
    let origins: OriginSet
    let allowsAllMethods: Bool
    /// Allowed non-safelisted methods, normalized, compared byte for byte.
    let methods: [String]
    let allowsAllHeaders: Bool
    /// Allowed request-header names as bytes, lowercase, sorted for binary search.
    let headers: [[UInt8]]
    /// A successful preflight's status (2xx).
    let preflightStatus: UInt16
    /// Whether an origin allowed at request time (by an ``OriginSource``) must be potentially trustworthy: the rules
    /// allow credentials and do not set `dangerouslyAllowInsecureOriginsWithCredentials`.
    let credentialsNeedSecureOrigins: Bool

    /// How the answers to an allowed origin are written.
    let template: AnswerTemplate
    /// The answers to every origin when the rules allow `*` (never with credentials).
    let wildcardAnswers: OriginAnswers?
    /// The answers to each exact allowed origin, at its index in `origins.patterns` (`nil` for the other patterns).
    private let exactOriginAnswers: [OriginAnswers?]
    /// The answers to the first origins a wildcard pattern matched.
    let patternOriginAnswers = PatternOriginMemo()

    init(
        origins: OriginSet, allowsAllMethods: Bool, methods: [String], allowsAllHeaders: Bool, headers: [String],
        preflightStatus: HTTPResponse.Status, credentialsNeedSecureOrigins: Bool, template: AnswerTemplate
    ) {
        self.credentialsNeedSecureOrigins = credentialsNeedSecureOrigins
        self.origins = origins
        self.allowsAllMethods = allowsAllMethods
        self.methods = methods
        self.allowsAllHeaders = allowsAllHeaders
        self.headers = headers.map { Array($0.utf8) }
        self.preflightStatus = UInt16(preflightStatus.code)
        self.template = template
        wildcardAnswers =
            origins.allowsAll
            ? OriginAnswers(allowOrigin: HTTPField(name: .accessControlAllowOrigin, value: "*"), template: template)
            : nil
        exactOriginAnswers = origins.patterns.map { pattern in
            guard case .host(_, _, .exact) = pattern.kind else { return nil }
            let field = HTTPField(name: .accessControlAllowOrigin, value: pattern.serialization)
            return OriginAnswers(allowOrigin: field, template: template)
        }
    }

    /// The answers to `origin` when it is, byte for byte, one of the exact allowed origins.
    func exactAnswers(_ origin: String) -> OriginAnswers? {
        Bytes.withUTF8(origin, exactAnswers)
    }

    /// ``exactAnswers(_:)`` for the origin's bytes.
    func exactAnswers(_ origin: UnsafeBufferPointer<UInt8>) -> OriginAnswers? {
        origins.exactPatternIndex(headerValue: origin).flatMap { exactOriginAnswers[$0] }
    }

    /// The answers to `origin` found by its bytes alone — `*`, an exact origin, an origin a pattern matched before —
    /// read once for every lookup; `nil` otherwise, with `refused` set when no pattern matched it before.
    func knownAnswers(origin: String, refused: inout Bool) -> OriginAnswers? {
        if let wildcardAnswers { return wildcardAnswers }
        return Bytes.withUTF8(origin) { bytes in
            if let answers = exactAnswers(bytes) { return answers }
            guard origins.hasWildcardPatterns else { return nil }
            if let answers = patternOriginAnswers.answers(bytes) { return answers }
            refused = patternOriginAnswers.isRefused(bytes)
            return nil
        }
    }

    /// Where a field's diagnostics point, and whether they should be reported here (a route does not repeat the
    /// problems of a field it inherits from the top level).
    struct Paths {
        var prefix: String
        var ownFields: Set<PolicyKey>?

        /// The JSON path of `key` (and of its element at `index`).
        func path(_ key: PolicyKey, _ index: Int? = nil) -> String {
            prefix + key.rawValue + (index.map { "[\($0)]" } ?? "")
        }

        func reports(_ key: PolicyKey) -> Bool { ownFields?.contains(key) ?? true }
    }

    static let prohibitedRequestHeaderNames: Set<String> = [
        "access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
        "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age",
    ]

    static let prohibitedExposeHeaderNames: Set<String> = [
        "origin", "access-control-request-method", "access-control-request-headers", "access-control-allow-methods",
        "access-control-allow-headers", "access-control-max-age",
    ]

    static let maximumMaxAge = 86_400

    // swift-format-ignore: FunctionBodyLength
    static func compile(
        _ configuration: CORSPolicy.Configuration,
        paths: Paths,
        diagnostics: inout [PolicyDiagnostic]
    ) -> CompiledRules {
        var problems: [PolicyDiagnostic] = []
        func report(_ key: PolicyKey, at index: Int? = nil, _ diagnostic: PolicyDiagnostic, alwaysReport: Bool = false)
        {
            guard alwaysReport || paths.reports(key) else { return }
            problems.append(diagnostic.at(paths.path(key, index)))
        }
        let credentials = configuration.allowCredentials

        // Origins: a browser's serialization only (https://fetch.spec.whatwg.org/#origin-header), no `null`, no glob
        // that can match a `.` (as jub0bs/cors `internal/origins/pattern.go`), no `*` with credentials
        // (https://fetch.spec.whatwg.org/#cors-protocol-and-credentials).
        var patterns: [OriginPattern] = []
        if configuration.allowOrigins.isEmpty {
            report(
                .allowOrigins,
                PolicyDiagnostic(
                    code: .noOrigins, value: nil, message: "no origin is allowed, so no page could read a response.",
                    fix: "list the origins of the pages that call this server, such as `https://app.example.com`"
                        + (paths.prefix.isEmpty
                            ? "" : "; to switch CORS off under this prefix, write `\"cors\": false`")
                ))
        }
        let originsOwned = paths.reports(.allowOrigins)
        for (index, text) in configuration.allowOrigins.enumerated() {
            let (pattern, found) = OriginPattern.analyze(text)
            if originsOwned { problems += found.map { $0.at(paths.path(.allowOrigins, index)) } }
            guard let pattern, found.isEmpty else { continue }
            patterns.append(pattern)
            guard credentials else { continue }
            // A problem of origins with credentials belongs to the origin, or to the route's credentials when the
            // route inherits its origins.
            func reportCross(_ diagnostic: PolicyDiagnostic) {
                if originsOwned {
                    report(.allowOrigins, at: index, diagnostic, alwaysReport: true)
                } else {
                    report(.allowCredentials, diagnostic, alwaysReport: true)
                }
            }
            switch pattern.kind {
            case .all:
                reportCross(
                    PolicyDiagnostic(
                        code: .wildcardOriginWithCredentials, value: text,
                        message: "browsers refuse `*` for credentialed requests, and reflecting every origin instead "
                            + "would let any site read your users' data.",
                        fix: "list the exact origins that may read credentialed responses"))
            case .host(let scheme, let host, _):
                if !configuration.dangerouslyAllowInsecureOriginsWithCredentials,
                    !Origin.isPotentiallyTrustworthy(scheme: scheme, host: host)
                {
                    reportCross(insecure(text, scheme: scheme))
                }
            case .subdomains(let scheme, let domain, _):
                if !configuration.dangerouslyAllowInsecureOriginsWithCredentials,
                    !Origin.isPotentiallyTrustworthy(scheme: scheme, host: .domain(domain))
                {
                    reportCross(insecure(text, scheme: scheme))
                }
                // `*.localhost` names resolve to this machine only (RFC 6761), so nobody else can own one.
                if !configuration.dangerouslyAllowPublicSuffixWildcardsWithCredentials, domain != "localhost",
                    PublicSuffixList.isPublicSuffix(domain.hasSuffix(".") ? String(domain.dropLast()) : domain)
                {
                    reportCross(
                        PolicyDiagnostic(
                            code: .publicSuffixWildcardWithCredentials, value: text,
                            message:
                                "`\(domain)` is a public suffix (Public Suffix List \(PublicSuffixList.snapshotVersion)): "
                                + "anyone can register a subdomain there and read credentialed responses.",
                            fix:
                                "list your own subdomains, or set `dangerouslyAllowPublicSuffixWildcardsWithCredentials`"
                        ))
                }
            }
        }

        // Methods: tokens, never forbidden ones (https://fetch.spec.whatwg.org/#forbidden-method), compared byte for byte.
        var allowsAllMethods = false
        var methods: [String] = []
        for (index, text) in configuration.allowMethods.enumerated() {
            if text == "*" {
                allowsAllMethods = true
                continue
            }
            guard let method = HTTPRequest.Method(text) else {
                report(
                    .allowMethods, at: index,
                    PolicyDiagnostic(
                        code: .invalidMethod, value: text,
                        message: "a method is an HTTP token (letters, digits, `-`…).",
                        fix: ASCII.isToken(text.utf8) ? nil : "remove the spaces or punctuation"))
                continue
            }
            if method.isForbidden {
                report(
                    .allowMethods, at: index,
                    PolicyDiagnostic(
                        code: .forbiddenMethod, value: text,
                        message: "browsers never let script send CONNECT, TRACE or TRACK.", fix: "remove it"))
                continue
            }
            let normalized = method.normalized
            if !normalized.isCORSSafelisted, !methods.contains(normalized.rawValue) {
                methods.append(normalized.rawValue)
            }
        }

        // Request headers: names, never forbidden ones (https://fetch.spec.whatwg.org/#forbidden-request-header).
        var allowsAllHeaders = false
        var headers: [String] = []
        for (index, text) in configuration.allowHeaders.enumerated() {
            if text == "*" {
                allowsAllHeaders = true
                continue
            }
            guard let name = HTTPField.Name(text) else {
                report(.allowHeaders, at: index, invalidName(text))
                continue
            }
            if Fetch.isForbiddenRequestHeaderName(name) {
                report(
                    .allowHeaders, at: index,
                    PolicyDiagnostic(
                        code: .forbiddenRequestHeader, value: text,
                        message: "browsers never let script set `\(name.canonicalName)`, so allowing it does nothing.",
                        fix: "remove it"))
            } else if prohibitedRequestHeaderNames.contains(name.canonicalName) {
                report(
                    .allowHeaders, at: index,
                    PolicyDiagnostic(
                        code: .prohibitedRequestHeader, value: text,
                        message: "`\(name.canonicalName)` is a response header that this policy sends itself.",
                        fix: "remove it; set the matching policy field instead"))
            } else {
                headers.append(name.canonicalName)
            }
        }
        headers = Fetch.sortedLowercaseSet(headers)

        // Exposed headers: names, never `Set-Cookie` (https://fetch.spec.whatwg.org/#forbidden-response-header-name).
        var exposesAllHeaders = false
        var exposeHeaders: [String] = []
        for (index, text) in configuration.exposeHeaders.enumerated() {
            if text == "*" {
                if credentials {
                    report(
                        .exposeHeaders, at: index,
                        PolicyDiagnostic(
                            code: .exposeWildcardWithCredentials, value: text,
                            message: "with credentials, browsers read `*` as a header literally named `*`.",
                            fix: "list the response headers script may read"), alwaysReport: true)
                }
                exposesAllHeaders = true
                continue
            }
            guard let name = HTTPField.Name(text) else {
                report(.exposeHeaders, at: index, invalidName(text))
                continue
            }
            if Fetch.isForbiddenResponseHeaderName(name) {
                report(
                    .exposeHeaders, at: index,
                    PolicyDiagnostic(
                        code: .forbiddenExposeHeader, value: text,
                        message: "browsers never expose `\(name.canonicalName)` to script.", fix: "remove it"))
            } else if prohibitedExposeHeaderNames.contains(name.canonicalName) {
                report(
                    .exposeHeaders, at: index,
                    PolicyDiagnostic(
                        code: .prohibitedExposeHeader, value: text,
                        message: "`\(name.canonicalName)` is not a header of actual responses.", fix: "remove it"))
            } else if !Fetch.corsSafelistedResponseHeaderNames.contains(name),
                !exposeHeaders.contains(name.canonicalName)
            {
                exposeHeaders.append(name.canonicalName)
            }
        }

        if let maxAge = configuration.maxAge, !(0...maximumMaxAge).contains(maxAge) {
            report(
                .maxAge,
                PolicyDiagnostic(
                    code: .maxAgeOutOfRange, value: String(maxAge),
                    message: "max-age is a number of seconds from 0 (no caching) to \(maximumMaxAge); browsers cap "
                        + "it at 7200 (Chromium), 86400 (Firefox) and 600 (WebKit).",
                    fix: "use a value from 0 to \(maximumMaxAge), or leave it out for the browsers' 5 s"))
        }
        if !(200...299).contains(configuration.preflightSuccessStatus) {
            report(
                .preflightSuccessStatus,
                PolicyDiagnostic(
                    code: .invalidPreflightStatus, value: String(configuration.preflightSuccessStatus),
                    message: "browsers accept a preflight only with a 2xx status.",
                    fix: "use 204, or 200 for legacy clients"))
        }

        diagnostics += problems
        let origins = OriginSet(patterns)
        var actualFields: [HTTPField] = []
        var preflightFields: [HTTPField] = []
        if credentials {
            let field = HTTPField(name: .accessControlAllowCredentials, value: "true")
            actualFields.append(field)
            preflightFields.append(field)
        }
        if exposesAllHeaders {
            actualFields.append(HTTPField(name: .accessControlExposeHeaders, value: "*"))
        } else if !exposeHeaders.isEmpty {
            actualFields.append(
                HTTPField(name: .accessControlExposeHeaders, value: exposeHeaders.joined(separator: ",")))
        }
        if let maxAge = configuration.maxAge {
            preflightFields.append(HTTPField(name: .accessControlMaxAge, value: String(maxAge)))
        }
        return CompiledRules(
            origins: origins, allowsAllMethods: allowsAllMethods, methods: methods, allowsAllHeaders: allowsAllHeaders,
            headers: headers,
            preflightStatus: (200...299).contains(configuration.preflightSuccessStatus)
                ? HTTPResponse.Status(code: configuration.preflightSuccessStatus) : .noContent,
            credentialsNeedSecureOrigins: credentials && !configuration.dangerouslyAllowInsecureOriginsWithCredentials,
            template: AnswerTemplate(
                actualFields: actualFields, preflightFields: preflightFields,
                originVary: origins.allowsAll ? .none : .origin))
    }

    private static func insecure(_ text: String, scheme: String) -> PolicyDiagnostic {
        guard scheme == "http" || scheme == "ws" else {
            return PolicyDiagnostic(
                code: .insecureOriginWithCredentials, value: text,
                message: "browsers treat a `\(scheme):` origin as potentially trustworthy only when the app embedding "
                    + "the page registers the scheme as secure (as iOS WebViews do for an app's own scheme).",
                fix: "if the app's WebView registers `\(scheme):` as secure, set "
                    + "`dangerouslyAllowInsecureOriginsWithCredentials`; otherwise serve the page over https")
        }
        return PolicyDiagnostic(
            code: .insecureOriginWithCredentials, value: text,
            message: "a network attacker can inject script into a plain-http origin and read credentialed responses.",
            fix: "use the https origin, or set `dangerouslyAllowInsecureOriginsWithCredentials`")
    }

    private static func invalidName(_ text: String) -> PolicyDiagnostic {
        PolicyDiagnostic(
            code: .invalidHeaderName, value: text, message: "a header name is an HTTP token (letters, digits, `-`…).",
            fix: text.contains(":") ? "give only the name, without `:` and a value" : nil)
    }
}
