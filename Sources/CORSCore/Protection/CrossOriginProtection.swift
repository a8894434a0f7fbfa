public import HTTPTypes

/// Cross-origin request forgery protection: refuse state-changing requests that a browser sent from another origin.
///
/// CORS decides what a page may *read*; it does not stop a form on an attacker's page from *sending* a `POST` with
/// the user's cookies. Browsers say where a request comes from — `Sec-Fetch-Site`, and `Origin` — and this uses
/// them, without tokens, following Go 1.25's `http.CrossOriginProtection` and closing its known gaps:
///
/// 1. `GET`, `HEAD` and `OPTIONS` pass (they must not change state) — except a WebSocket handshake (`GET` with
///    `Upgrade: websocket`, or HTTP/2's `CONNECT` with `:protocol: websocket`): CORS does not apply to WebSockets, and
///    the connection it opens carries the user's cookies both ways, so a cross-site page could otherwise use it
///    (cross-site WebSocket hijacking). Browsers send `Origin` and `Sec-Fetch-Site` on it, and it is checked like
///    a state-changing request (https://websockets.spec.whatwg.org/#concept-websocket-establish,
///    https://fetch.spec.whatwg.org/#websocket-opening-handshake).
/// 2. An `Origin` that is not a browser's canonical serialization — `http://evil@victim.example` included — is
///    refused (Go compared only the host it parsed out of it).
/// 3. Trusted origins (an ``OriginSet``) pass; so do exempt paths, matched on the canonical path only (Go's
///    exemptions also covered paths its router redirected into them, CVE-2025-47910). A request that would be
///    refused and whose path has no single meaning (``PathAmbiguity``) is refused with 400, since an exemption
///    cannot be judged on it.
/// 4. `Sec-Fetch-Site: same-origin` or `none` passes; `same-site` passes only when configured; anything else is
///    refused.
/// 5. Without `Sec-Fetch-Site`: no `Origin` passes (not a browser, or a same-origin request from an old one);
///    `Origin: null` is refused; otherwise `Origin` must be the request's own origin — the configured public origin
///    when there is one (a proxy that rewrites `Host` cannot fool it), else the `Host` authority.
///
/// https://fetch.spec.whatwg.org/#origin-header, https://w3c.github.io/webappsec-fetch-metadata/
public struct CrossOriginProtection: Sendable {
    /// What the protection is made from, before validation (the policy file's `crossOriginProtection` object).
    public struct Configuration: Sendable, Hashable {
        /// Whether the protection runs at all (the policy file can hold a configuration switched off).
        public var enabled: Bool
        /// Origins trusted to send state-changing requests, as origin patterns.
        public var trustedOrigins: [String]
        /// Paths exempt from the check: exact (`/hooks/stripe`), or a prefix ending in `/*` (`/sso/*`).
        public var exempt: [String]
        /// Log what would be refused, refuse nothing (for rolling out).
        public var reportOnly: Bool
        /// Accept `Sec-Fetch-Site: same-site` (sibling subdomains). Off by default: another subdomain is another
        /// origin, and may be taken over.
        public var allowSameSite: Bool
        /// This server's origin as browsers see it, `https://app.example.com`; needed behind proxies that rewrite
        /// `Host`, and it also makes the scheme count.
        public var publicOrigin: String?
        /// Check WebSocket handshakes as state-changing requests (on by default).
        public var checkWebSockets: Bool

        public init(
            enabled: Bool = true, trustedOrigins: [String] = [], exempt: [String] = [], reportOnly: Bool = false,
            allowSameSite: Bool = false, publicOrigin: String? = nil, checkWebSockets: Bool = true
        ) {
            self.checkWebSockets = checkWebSockets
            self.enabled = enabled
            self.trustedOrigins = trustedOrigins
            self.exempt = exempt
            self.reportOnly = reportOnly
            self.allowSameSite = allowSameSite
            self.publicOrigin = publicOrigin
        }
    }

    public let configuration: Configuration
    let trusted: OriginSet
    let exactExemptions: Set<String>
    let prefixExemptions: [String]
    let publicOrigin: Origin?

    /// Validates `configuration`; every problem is thrown at once, with paths under `prefix` (for the policy file).
    public init(_ configuration: Configuration) throws(CORSPolicyError) {
        var problems: [PolicyDiagnostic] = []
        self.init(configuration, pathPrefix: "", problems: &problems)
        if !problems.isEmpty { throw CORSPolicyError(diagnostics: problems) }
    }

    init(_ configuration: Configuration, pathPrefix: String, problems: inout [PolicyDiagnostic]) {
        self.configuration = configuration
        var patterns: [OriginPattern] = []
        for (index, text) in configuration.trustedOrigins.enumerated() {
            let (pattern, found) = OriginPattern.analyze(text)
            problems += found.map { $0.at("\(pathPrefix)trustedOrigins[\(index)]") }
            if let pattern, found.isEmpty {
                if pattern == .all {
                    problems.append(
                        PolicyDiagnostic(
                            code: .wildcardTrustedOrigin, path: "\(pathPrefix)trustedOrigins[\(index)]", value: text,
                            message: "trusting every origin turns the protection off.",
                            fix: "list the origins allowed to send state-changing requests, or set `enabled` to false"))
                } else {
                    patterns.append(pattern)
                }
            }
        }
        trusted = OriginSet(patterns)
        var exact: Set<String> = []
        var prefixes: [String] = []
        for (index, path) in configuration.exempt.enumerated() {
            let isPrefix = path.hasSuffix("/*")
            let base = isPrefix ? String(path.dropLast(2)) : path
            guard let normalized = RequestPath.normalizedPrefix(base.isEmpty ? "/" : base) else {
                problems.append(
                    PolicyDiagnostic(
                        code: .invalidExemptPath, path: "\(pathPrefix)exempt[\(index)]", value: path,
                        message: "an exempt path is a canonical path (it starts with `/`, with no query, dot segments, "
                            + "`//`, `%2F` or needless percent-encoding); end it with `/*` to exempt everything "
                            + "below it.",
                        fix: RequestPath.suggestedPrefix(for: base).map { "write `\($0)\(isPrefix ? "/*" : "")`" }))
                continue
            }
            if isPrefix { prefixes.append(normalized) } else { exact.insert(path) }
        }
        exactExemptions = exact
        prefixExemptions = prefixes
        if let text = configuration.publicOrigin {
            let origin = Origin(headerValue: text)
            if origin == nil || origin?.isOpaque == true {
                problems.append(
                    PolicyDiagnostic(
                        code: .invalidPublicOrigin, path: "\(pathPrefix)publicOrigin", value: text,
                        message: "the public origin is written as a browser sends it, `scheme://host[:port]`.",
                        fix: "write it like `https://app.example.com`"))
            }
            publicOrigin = origin
        } else {
            publicOrigin = nil
        }
    }

    /// Decides whether `request` may go on to the handler.
    public func evaluate(_ request: HTTPRequest) -> ProtectionDecision {
        guard configuration.enabled else { return decide(.disabled, refuse: false) }
        let isSafe =
            Self.isWebSocketHandshake(request)
            ? !configuration.checkWebSockets
            : request.method == .get || request.method == .head || request.method == .options
        if isSafe { return decide(.safeMethod, refuse: false) }
        let fields = request.headerFields
        let origins = fields[values: .origin]
        let site = fields[values: Self.secFetchSite]
        if origins.count > 1 { return decide(.malformedOrigin, refuse: true) }
        let origin = origins.first
        if let origin, origin != "null", Origin(headerValue: origin) == nil {
            return decide(.malformedOrigin, refuse: true)
        }
        if let origin, trusted.contains(headerValue: origin) { return decide(.trustedOrigin, refuse: false) }
        let verdict = siteVerdict(site.first, origin: origin, request: request)
        guard verdict.refused, !exactExemptions.isEmpty || !prefixExemptions.isEmpty else { return verdict }
        switch exemption(request.path ?? "/") {
        case .success(true): return decide(.exemptPath, refuse: false)
        case .success(false): return verdict
        case .failure: return decide(.ambiguousPath, refuse: true)
        }
    }

    /// The decision from `Sec-Fetch-Site`, or from `Origin` without it, before exemptions.
    private func siteVerdict(_ site: String?, origin: String?, request: HTTPRequest) -> ProtectionDecision {
        if let site {
            switch site {
            case "same-origin", "none": return decide(.sameOrigin, refuse: false)
            case "same-site" where configuration.allowSameSite: return decide(.sameSite, refuse: false)
            case "same-site": return decide(.sameSiteRequest, refuse: true)
            case "cross-site": return decide(.crossSiteRequest, refuse: true)
            default: return decide(.unknownFetchSite, refuse: true)
            }
        }
        guard let origin else { return decide(.noBrowserMetadata, refuse: false) }
        if origin == "null" { return decide(.nullOrigin, refuse: true) }
        return isOwnOrigin(origin, request: request)
            ? decide(.sameOrigin, refuse: false) : decide(.originMismatch, refuse: true)
    }

    private func decide(_ reason: ProtectionDecision.Reason, refuse: Bool) -> ProtectionDecision {
        ProtectionDecision(reason: reason, refused: refuse, reportOnly: configuration.reportOnly)
    }

    /// Whether the canonical path is exempt (under both readings of its `;` parameters).
    private func exemption(_ target: String) -> Result<Bool, PathAmbiguity> {
        RequestPath.judge(target[...]) { path in
            exactExemptions.contains(String(path))
                || prefixExemptions.contains { RequestPath.matches(path, prefix: $0) }
        }
    }

    private func isOwnOrigin(_ value: String, request: HTTPRequest) -> Bool {
        guard let origin = Origin(headerValue: value) else { return false }
        if let publicOrigin { return origin == publicOrigin }
        guard let authority = request.authority, let scheme = origin.scheme,
            let own = try? Origin(url: scheme + "://" + authority)
        else { return false }
        return own == origin
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// An HTTP/1.1 handshake (`GET` with `websocket` among the `Upgrade` tokens, or with `Sec-WebSocket-Key`, RFC 6455
    /// §4.1 — servers that convert requests to HTTP types drop `Upgrade` as connection-specific, and script can never
    /// set a `Sec-` field) or an HTTP/2 one (extended `CONNECT` with `:protocol: websocket`, RFC 8441 §4).
    static func isWebSocketHandshake(_ request: HTTPRequest) -> Bool {
        if request.method == .connect { return request.extendedConnectProtocol?.lowercased() == "websocket" }
        guard request.method == .get else { return false }
        if request.headerFields[.secWebSocketKey] != nil { return true }
        return request.headerFields[values: .upgrade].contains { value in
            value.split(separator: ",").contains { token in
                let name = token.trimmingTabsAndSpaces.prefix { $0 != "/" }
                return ASCII.equalsIgnoringCase(name.utf8, "websocket".utf8)
            }
        }
    }
}
