/// A compiled set of origin patterns that answers "is this origin allowed?" in time that grows with the number of
/// labels in the origin's host, never with the number of patterns.
///
/// Exact origins are looked up by their serialization in a hash set. Patterns with a wildcard live in a trie keyed
/// by host labels from the right (`com` → `example` → …): a lookup walks one node per label, checking the
/// subdomain rules of each node it passes and the any-port rules of the node it ends on. Because the trie is keyed
/// by whole labels, `https://barfoo.com` cannot reach the node of `foo.com`, and `example.com.evil.net` starts at
/// `net`. Redundant patterns are pruned at construction, so ``patterns`` is the smallest equivalent list.
public struct OriginSet: Sendable {
    private struct Rule: Sendable {
        var scheme: Substring
        var port: OriginPattern.PortRule
    }

    private struct Node: Sendable {
        var children: [Substring: Int] = [:]
        /// Rules of patterns `scheme://*.<this node's domain>[:port]`.
        var subdomainRules: [Rule] = []
        /// Schemes of patterns `scheme://<this node's host>:*`.
        var anyPortSchemes: [Substring] = []
    }

    /// The patterns, without duplicates or patterns that another pattern covers.
    public let patterns: [OriginPattern]
    /// Whether the set holds `*`.
    public let allowsAll: Bool
    private let exact: Set<Substring>
    private let nodes: [Node]

    /// Compiles `patterns`, pruning duplicates and patterns subsumed by another.
    public init(_ patterns: some Sequence<OriginPattern>) {
        let pruned = Self.prune(Array(patterns))
        self.patterns = pruned
        allowsAll = pruned.contains(.all)
        var exact: Set<Substring> = []
        var nodes = [Node()]
        for pattern in pruned {
            switch pattern.kind {
            case .all:
                break
            case .host(_, _, .exact):
                exact.insert(Substring(pattern.serialization))
            case .host(let scheme, let host, .any):
                let node = Self.insert(host.serialization, into: &nodes)
                nodes[node].anyPortSchemes.append(Substring(scheme))
            case .subdomains(let scheme, let domain, let port):
                let node = Self.insert(domain, into: &nodes)
                nodes[node].subdomainRules.append(Rule(scheme: Substring(scheme), port: port))
            }
        }
        self.exact = exact
        self.nodes = nodes
    }

    /// Whether `origin` is in the set. Opaque origins never are.
    public func contains(_ origin: Origin) -> Bool {
        guard !origin.isOpaque else { return false }
        let serialization = origin.serialization
        guard let parsed = SerializedOrigin(serialization[...]) else { return false }
        return contains(parsed)
    }

    /// Whether the `Origin` header value `value` names an origin in the set, without allocating.
    ///
    /// Values a browser would not send (non-canonical serializations, `null`, several origins) are not in any set.
    public func contains(headerValue value: some StringProtocol) -> Bool {
        guard let parsed = SerializedOrigin(Substring(value)) else { return false }
        return contains(parsed)
    }

    func contains(_ origin: SerializedOrigin) -> Bool {
        if allowsAll || exact.contains(origin.value) { return true }
        guard nodes.count > 1 else { return false }
        let port = origin.effectivePort
        var node = 0
        var remaining = origin.host
        while true {
            let dot = remaining.lastIndex(of: ".")
            let label = dot.map { remaining[remaining.index(after: $0)...] } ?? remaining
            guard let child = nodes[node].children[label] else { return false }
            node = child
            guard let dot else {
                return nodes[node].anyPortSchemes.contains(origin.scheme)
            }
            remaining = remaining[..<dot]
            for rule in nodes[node].subdomainRules
            where rule.scheme == origin.scheme && OriginPattern.port(rule.port, matches: port) {
                return true
            }
        }
    }

    private static func insert(_ host: String, into nodes: inout [Node]) -> Int {
        var node = 0
        for label in host.split(separator: ".", omittingEmptySubsequences: false).reversed() {
            if let child = nodes[node].children[label] {
                node = child
            } else {
                nodes.append(Node())
                nodes[node].children[label] = nodes.count - 1
                node = nodes.count - 1
            }
        }
        return node
    }

    /// Drops duplicates and every pattern another pattern covers; keeps the first-written order otherwise.
    ///
    /// Exact patterns can only be covered by a wildcard pattern or by `*`, so the work is (patterns × wildcards).
    static func prune(_ patterns: [OriginPattern]) -> [OriginPattern] {
        if patterns.contains(.all) { return [.all] }
        var seen: Set<OriginPattern> = []
        let unique = patterns.filter { seen.insert($0).inserted }
        let wildcards = unique.filter {
            if case .host(_, _, .exact) = $0.kind { return false }
            return true
        }
        return unique.filter { pattern in
            !wildcards.contains { $0 != pattern && $0.subsumes(pattern) }
        }
    }
}
