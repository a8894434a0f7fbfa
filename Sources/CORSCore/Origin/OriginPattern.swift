/// One entry of an allowed-origins list: an exact origin, every subdomain of a domain (`https://*.example.com`), any
/// port (`http://localhost:*`, combinable with `*.`), or every origin (`*`).
///
/// A wildcard is a whole label or a whole port, never a glob: it cannot match a `.` or a `:`, so
/// `https://*.example.com` matches `https://a.b.example.com` but neither `https://example.com` (the apex) nor
/// `https://evilexample.com` nor `https://example.com.evil.net`. Patterns must be written in canonical form (as a
/// browser serializes the origin); anything else is rejected with a diagnostic that says what to write instead.
public struct OriginPattern: Sendable, Hashable, CustomStringConvertible {
    /// Which ports a pattern covers.
    package enum PortRule: Sendable, Hashable {
        /// One port: the effective port (the scheme's default when none is written; `nil` for a scheme without one).
        case exact(Int?)
        /// Every port, the default included (`:*`).
        case any
    }

    /// What a pattern matches.
    package enum Kind: Sendable, Hashable {
        /// Every origin (`*`). Opaque origins (`null`) are not matched by any pattern.
        case all
        /// One host.
        case host(scheme: String, host: Origin.Host, port: PortRule)
        /// Every domain strictly below `domain`, at any depth.
        case subdomains(scheme: String, domain: String, port: PortRule)
    }

    /// What the pattern matches.
    package let kind: Kind

    /// The canonical text of the pattern.
    public let serialization: String

    /// Every origin.
    public static let all = OriginPattern(kind: .all)

    init(kind: Kind) {
        self.kind = kind
        switch kind {
        case .all:
            serialization = "*"
        case .host(let scheme, let host, let port):
            serialization = scheme + "://" + host.serialization + Self.portSuffix(port, scheme: scheme)
        case .subdomains(let scheme, let domain, let port):
            serialization = scheme + "://*." + domain + Self.portSuffix(port, scheme: scheme)
        }
    }

    /// Parses a pattern; a pattern that is not canonical, or not valid, throws every problem found.
    public init(_ text: String) throws(CORSPolicyError) {
        let (pattern, problems) = Self.analyze(text)
        guard let pattern, problems.isEmpty else { throw CORSPolicyError(diagnostics: problems) }
        self = pattern
    }

    public var description: String { serialization }

    /// Whether the pattern matches `origin`. Opaque origins never match.
    public func matches(_ origin: Origin) -> Bool {
        guard let scheme = origin.scheme, let host = origin.host else { return false }
        switch kind {
        case .all:
            return true
        case .host(let patternScheme, let patternHost, let port):
            return scheme == patternScheme && host == patternHost && Self.port(port, matches: origin.effectivePort)
        case .subdomains(let patternScheme, let domain, let port):
            guard scheme == patternScheme, case .domain(let name) = host else { return false }
            return name.hasSuffix("." + domain) && Self.port(port, matches: origin.effectivePort)
        }
    }

    /// Whether every origin `other` matches is also matched by `self`.
    public func subsumes(_ other: OriginPattern) -> Bool {
        switch (kind, other.kind) {
        case (.all, _):
            return true
        case (_, .all):
            return false
        case (.host(let s1, let h1, let p1), .host(let s2, let h2, let p2)):
            return s1 == s2 && h1 == h2 && Self.port(p1, covers: p2)
        case (.host, .subdomains):
            return false
        case (.subdomains(let s1, let d1, let p1), .host(let s2, let h2, let p2)):
            guard case .domain(let name) = h2 else { return false }
            return s1 == s2 && name.hasSuffix("." + d1) && Self.port(p1, covers: p2)
        case (.subdomains(let s1, let d1, let p1), .subdomains(let s2, let d2, let p2)):
            return s1 == s2 && (d2 == d1 || d2.hasSuffix("." + d1)) && Self.port(p1, covers: p2)
        }
    }

    /// The scheme of the pattern; `nil` for `*`.
    package var scheme: String? {
        switch kind {
        case .all: return nil
        case .host(let scheme, _, _), .subdomains(let scheme, _, _): return scheme
        }
    }

    static func port(_ rule: PortRule, matches port: Int?) -> Bool {
        switch rule {
        case .any: return true
        case .exact(let expected): return expected == port
        }
    }

    private static func port(_ rule: PortRule, covers other: PortRule) -> Bool {
        switch (rule, other) {
        case (.any, _): return true
        case (.exact, .any): return false
        case (.exact(let a), .exact(let b)): return a == b
        }
    }

    private static func portSuffix(_ rule: PortRule, scheme: String) -> String {
        switch rule {
        case .any: return ":*"
        case .exact(let port):
            guard let port, port != Origin.defaultPort(forScheme: scheme) else { return "" }
            return ":" + String(port)
        }
    }
}
