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
