/// The Public Suffix List: the domains under which anyone may register a name (`com`, `github.io`, `pages.dev`).
///
/// A policy that lets `https://*.github.io` read credentialed responses trusts every GitHub Pages user; the policy
/// validator refuses such wildcards unless told otherwise. The list is a snapshot (see ``snapshotVersion``);
/// `scripts/update-public-suffix-list.py` regenerates it.
///
/// https://github.com/publicsuffix/list/wiki/Format
public enum PublicSuffixList {
    private struct Rules: Sendable {
        var exact: Set<String> = []
        var wildcardParents: Set<String> = []
        var exceptions: Set<String> = []
    }

    private static let rules: Rules = {
        var rules = Rules()
        for line in snapshotRules.split(separator: "\n") {
            if line.hasPrefix("!") {
                rules.exceptions.insert(String(line.dropFirst()))
            } else if line.hasPrefix("*.") {
                rules.wildcardParents.insert(String(line.dropFirst(2)))
            } else {
                rules.exact.insert(String(line))
            }
        }
        return rules
    }()

    /// Whether `domain` (lowercase ASCII, no trailing dot) is itself a public suffix.
    ///
    /// A single label is always one (the list's implicit `*` rule); `*.ck` makes every `x.ck` one, except the names
    /// listed as exceptions (`!www.ck`).
    public static func isPublicSuffix(_ domain: String) -> Bool {
        guard !domain.isEmpty else { return false }
        if rules.exceptions.contains(domain) { return false }
        if rules.exact.contains(domain) { return true }
        guard let dot = domain.firstIndex(of: ".") else { return true }
        return rules.wildcardParents.contains(String(domain[domain.index(after: dot)...]))
    }
}

extension PublicSuffixList {
    /// The registrable domain of `host`: its public suffix plus one label (`www.example.co.uk` →
    /// `example.co.uk`), or `nil` when the host is itself a public suffix.
    ///
    /// https://url.spec.whatwg.org/#host-registrable-domain
    public static func registrableDomain(_ host: String) -> String? {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for index in labels.indices where isPublicSuffix(labels[index...].joined(separator: ".")) {
            return index == 0 ? nil : labels[(index - 1)...].joined(separator: ".")
        }
        return nil
    }
}

extension Origin {
    /// Same site: the same scheme and the same registrable domain (or the same host, where there is none).
    ///
    /// https://html.spec.whatwg.org/multipage/browsers.html#same-site
    public func isSameSite(_ other: Origin) -> Bool {
        if isOpaque || other.isOpaque { return self == other }
        return scheme == other.scheme && site == other.site
    }

    /// How a request from this origin relates to `target`: the value `Sec-Fetch-Site` gives it for a request with
    /// no redirect.
    ///
    /// https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header
    public func relation(to target: Origin) -> SiteRelation {
        if isSameOrigin(target) { return .sameOrigin }
        return isSameSite(target) ? .sameSite : .crossSite
    }

    private var site: String? {
        guard let host else { return nil }
        guard case .domain(let domain) = host else { return host.serialization }
        return PublicSuffixList.registrableDomain(domain) ?? domain
    }
}

/// How a request's initiator relates to its target (`Sec-Fetch-Site`, without `none`).
public enum SiteRelation: String, Sendable, Hashable, Comparable {
    case sameOrigin = "same-origin"
    case sameSite = "same-site"
    case crossSite = "cross-site"

    /// Ordered from closest to farthest: a redirect chain is as far as its farthest hop.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        let order: [Self] = [.sameOrigin, .sameSite, .crossSite]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}
