extension OriginPattern {
    /// Reads `text` leniently and reports every way it differs from a valid, canonical pattern.
    ///
    /// The pattern is returned when it could be understood at all, even with problems, so that a fix can name the
    /// canonical form ("write `https://example.com`").
    static func analyze(_ text: String) -> (OriginPattern?, [PolicyDiagnostic]) {
        var problems: [PolicyDiagnostic] = []
        func report(_ code: PolicyDiagnostic.Code, _ message: String, fix: String? = nil) {
            problems.append(PolicyDiagnostic(code: code, value: text, message: message, fix: fix))
        }

        if text == "*" { return (.all, []) }
        if ASCII.lowercased(text) == "null" {
            report(
                .nullOrigin,
                "`null` is the origin of sandboxed iframes, `data:` URLs and local files: any attacker can send it.",
                fix: "remove it; give the page a real origin instead")
            return (nil, problems)
        }
        guard let separator = text.firstRange(of: "://") else {
            let looksLikeHost = !text.isEmpty && !text.contains(":") && !text.contains("/")
            report(
                looksLikeHost ? .missingScheme : .invalidOrigin,
                looksLikeHost ? "an origin needs a scheme." : "an origin is written `scheme://host[:port]`.",
                fix: looksLikeHost ? "did you mean `https://\(text)`?" : nil)
            return (nil, problems)
        }

        let rawScheme = text[..<separator.lowerBound]
        guard let first = rawScheme.utf8.first, ASCII.isAlpha(first), rawScheme.utf8.count <= 64,
            rawScheme.utf8.allSatisfy({ ASCII.isAlpha($0) || ASCII.isDigit($0) || "+-.".utf8.contains($0) })
        else {
            report(.invalidOrigin, "`\(rawScheme)` is not a valid scheme.")
            return (nil, problems)
        }
        let scheme = ASCII.lowercased(rawScheme)
        if scheme == "file" {
            report(
                .fileOrigin,
                "`file:` pages have an opaque origin and send `Origin: null`, which any attacker can send.",
                fix: "serve the page over http(s) and allow that origin")
            return (nil, problems)
        }

        var rest = text[separator.upperBound...]
        if let tailStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            let tail = rest[tailStart...]
            if tail == "/" {
                report(
                    .originTrailingSlash, "an origin has no path, so browsers never send a trailing `/`.",
                    fix: "remove the trailing `/`")
            } else {
                report(
                    .originHasPath, "an origin has no path, query or fragment: `\(tail)` can never match.",
                    fix: "remove `\(tail)`")
            }
            rest = rest[..<tailStart]
        }
        if let at = rest.lastIndex(of: "@") {
            report(.originHasUserinfo, "an origin has no user name or password.", fix: "remove `\(rest[...at])`")
            rest = rest[rest.index(after: at)...]
        }

        var hostText = rest
        var port = PortRule.exact(Origin.defaultPort(forScheme: scheme))
        if let colon = Self.portColon(in: rest) {
            hostText = rest[..<colon]
            let portText = rest[rest.index(after: colon)...]
            if portText == "*" {
                port = .any
            } else if let number = Int(portText), portText.utf8.allSatisfy(ASCII.isDigit), (1...65535).contains(number)
            {
                port = .exact(number)
                if number == Origin.defaultPort(forScheme: scheme) {
                    report(
                        .originDefaultPort, "browsers never send the scheme's default port.",
                        fix: "drop the default port `:\(portText)`")
                } else if portText.first == "0" {
                    report(.invalidPort, "a port has no leading zeros.", fix: "write `:\(number)`")
                }
            } else {
                report(
                    .invalidPort, "`:\(portText)` is not a port: use a number from 1 to 65535, or `:*` for any port.")
                return (nil, problems)
            }
        }

        var isSubdomainWildcard = false
        if hostText.hasPrefix("*.") {
            isSubdomainWildcard = true
            hostText = hostText.dropFirst(2)
        }
        if hostText.contains("*") || hostText.isEmpty && !isSubdomainWildcard {
            let suggestion: String
            if hostText.hasPrefix("*"), !hostText.hasPrefix("*."), hostText.count > 1 {
                suggestion = "did you mean `\(scheme)://*.\(hostText.dropFirst())`?"
            } else {
                suggestion = "a wildcard may only stand for whole leading labels, as in `\(scheme)://*.example.com`"
            }
            report(
                .invalidWildcard,
                "`*` must be a whole leading label (`*.example.com`) or the whole port (`:*`); it never matches "
                    + "part of a label.", fix: suggestion)
            return (nil, problems)
        }

        let host: Origin.Host
        do {
            host = try HostParser.parse(hostText)
        } catch {
            report(.invalidOrigin, "`\(hostText)` is not a valid host (\(error)).")
            return (nil, problems)
        }
        if case .domain(let domain) = host { Self.checkDomain(domain, text: text, report: report) }
        let canonicalHost = host.serialization
        if canonicalHost != hostText {
            if !hostText.unicodeScalars.allSatisfy({ $0.isASCII }) {
                report(
                    .originNotASCII, "browsers send the host's Punycode form.", fix: "write `\(canonicalHost)`")
            } else if host.isIPAddress && ASCII.lowercased(hostText) != canonicalHost {
                report(
                    .ipNotCanonical, "browsers serialize this address as `\(canonicalHost)`.",
                    fix: "write `\(canonicalHost)`")
            } else {
                report(.originNotLowercase, "browsers send the host in lowercase.", fix: "write `\(canonicalHost)`")
            }
        }
        let pattern: OriginPattern
        if isSubdomainWildcard {
            guard case .domain(let domain) = host else {
                report(.invalidWildcard, "`*.` cannot be combined with an IP address.", fix: "list the address itself")
                return (nil, problems)
            }
            pattern = OriginPattern(kind: .subdomains(scheme: scheme, domain: domain, port: port))
        } else {
            pattern = OriginPattern(kind: .host(scheme: scheme, host: host, port: port))
        }
        if rawScheme != scheme {
            report(
                .originNotLowercase, "browsers send the scheme in lowercase.", fix: "write `\(pattern.serialization)`")
        }
        return (pattern, problems)
    }

    /// What a domain must be for a browser to send it: no final dot (swift-cors reads such an `Origin` as malformed,
    /// so the entry could never match), within DNS's lengths (RFC 1035 §2.3.4: 253 bytes, 63 per label), and Punycode
    /// that decodes (RFC 3492) where a label starts with `xn--`.
    private static func checkDomain(
        _ domain: String, text: String, report: (PolicyDiagnostic.Code, String, String?) -> Void
    ) {
        var name = domain[...]
        if name.hasSuffix(".") {
            name = name.dropLast()
            report(
                .originTrailingDot,
                "a host with a final dot is an origin of its own, sent only by pages loaded from such a URL; "
                    + "swift-cors refuses those `Origin` values as malformed, so this entry could never match.",
                "write `\(text.replacing(domain, with: name))`")
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if name.utf8.count > 253 || labels.contains(where: { $0.utf8.count > 63 }) {
            report(
                .invalidOrigin,
                "the host is longer than DNS allows (253 bytes, 63 per label): no browser can send it.", nil)
        }
        if let label = labels.first(where: { $0.hasPrefix("xn--") && !Punycode.isValid($0.dropFirst(4)) }) {
            report(.invalidOrigin, "`\(label)` is not valid Punycode: no browser can send it.", nil)
        }
    }

    /// The `:` before the port: the last one outside IPv6 brackets.
    private static func portColon(in authority: Substring) -> Substring.Index? {
        let searchStart = authority.lastIndex(of: "]") ?? authority.startIndex
        return authority[searchStart...].lastIndex(of: ":")
    }
}
