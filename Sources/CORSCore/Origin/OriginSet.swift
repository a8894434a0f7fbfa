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
        var scheme: [UInt8]
        var port: OriginPattern.PortRule
    }

    private struct Node: Sendable {
        /// Rules of patterns `scheme://*.<this node's domain>[:port]`.
        var subdomainRules: [Rule] = []
        /// Schemes of patterns `scheme://<this node's host>:*`.
        var anyPortSchemes: [[UInt8]] = []
    }

    /// The patterns, without duplicates or patterns that another pattern covers.
    public let patterns: [OriginPattern]
    /// Whether the set holds `*`.
    public let allowsAll: Bool
    /// The exact origins, each to its index in ``patterns``.
    private let exact: ByteTable<Int>
    private let nodes: [Node]
    /// The trie's edges: the child of node `scope` along a label.
    private let children: ByteTable<Int>

    /// Compiles `patterns`, pruning duplicates and patterns subsumed by another.
    public init(_ patterns: some Sequence<OriginPattern>) {
        let pruned = Self.prune(Array(patterns))
        self.patterns = pruned
        allowsAll = pruned.contains(.all)
        var exact: [(scope: Int, key: String.UTF8View, value: Int)] = []
        var nodes = [Node()]
        var children: [Edge: Int] = [:]
        for (index, pattern) in pruned.enumerated() {
            switch pattern.kind {
            case .all:
                break
            case .host(_, _, .exact):
                exact.append((0, pattern.serialization.utf8, index))
            case .host(let scheme, let host, .any):
                let node = Self.insert(host.serialization, into: &nodes, children: &children)
                nodes[node].anyPortSchemes.append(Array(scheme.utf8))
            case .subdomains(let scheme, let domain, let port):
                let node = Self.insert(domain, into: &nodes, children: &children)
                nodes[node].subdomainRules.append(Rule(scheme: Array(scheme.utf8), port: port))
            }
        }
        self.exact = ByteTable(exact)
        self.nodes = nodes
        self.children = ByteTable(children.map { (scope: $0.key.parent, key: $0.key.label.utf8, value: $0.value) })
    }

    private struct Edge: Hashable {
        var parent: Int
        var label: Substring
    }

    /// Whether `origin` is in the set. Opaque origins never are.
    public func contains(_ origin: Origin) -> Bool {
        guard !origin.isOpaque else { return false }
        return contains(headerValue: origin.serialization)
    }

    /// Whether the `Origin` header value `value` names an origin in the set, without allocating.
    ///
    /// Values a browser would not send (non-canonical serializations, `null`, several origins) are not in any set.
    public func contains(headerValue value: some StringProtocol) -> Bool {
        SerializedOrigin.parse(value) { parsed in
            guard let parsed else { return false }
            return allowsAll || exact.value(UnsafeRawBufferPointer(parsed.bytes)) != nil || matchesWildcard(parsed)
        }
    }

    /// The index in ``patterns`` of the exact origin whose serialization is `value`, byte for byte. Such a value is
    /// in the set without being parsed: a key is a canonical serialization, so the value is one too.
    func exactPatternIndex(headerValue value: UnsafeBufferPointer<UInt8>) -> Int? {
        exact.value(UnsafeRawBufferPointer(value))
    }

    /// Whether the set has patterns with a wildcard (`*` itself aside).
    var hasWildcardPatterns: Bool { nodes.count > 1 }

    /// Whether `value` is matched by a pattern with a wildcard (exact origins and `*` are left to the caller).
    func wildcardPatternsMatch(headerValue value: some StringProtocol) -> Bool {
        guard hasWildcardPatterns else { return false }
        return SerializedOrigin.parse(value) { $0.map(matchesWildcard) ?? false }
    }

    /// Follows the origin's host labels from the right, one trie node per label.
    private func matchesWildcard(_ origin: SerializedOrigin) -> Bool {
        guard hasWildcardPatterns else { return false }
        let host = origin.host
        let scheme = origin.scheme
        let port = origin.effectivePort
        var node = 0
        var end = host.count
        while true {
            var start = end
            while start > 0, host[start - 1] != UInt8(ascii: ".") { start -= 1 }
            let label = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: host[start..<end]))
            guard let child = children.value(scope: node, label) else { return false }
            node = child
            guard start > 0 else {
                return nodes[node].anyPortSchemes.contains { $0.elementsEqual(scheme) }
            }
            end = start - 1
            for rule in nodes[node].subdomainRules
            where rule.scheme.elementsEqual(scheme) && OriginPattern.port(rule.port, matches: port) {
                return true
            }
        }
    }

    private static func insert(_ host: String, into nodes: inout [Node], children: inout [Edge: Int]) -> Int {
        var node = 0
        for label in host.split(separator: ".", omittingEmptySubsequences: false).reversed() {
            if let child = children[Edge(parent: node, label: label)] {
                node = child
            } else {
                nodes.append(Node())
                children[Edge(parent: node, label: label)] = nodes.count - 1
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
