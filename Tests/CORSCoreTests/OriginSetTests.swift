import CORSCore
import PropertyBased
import Testing

/// A deliberately naive matcher written from the pattern grammar with plain string operations, to check the
/// compiled trie against.
func referenceMatches(_ patterns: [String], _ headerValue: String) -> Bool {
    guard let origin = Origin(headerValue: headerValue), let scheme = origin.scheme, let host = origin.host else {
        return false
    }
    let hostText = host.serialization
    for pattern in patterns {
        if pattern == "*" { return true }
        let parts = pattern.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == scheme else { continue }
        var patternHost = parts[1]
        var portText: String?
        if let colon = patternHost.lastIndex(of: ":"), !patternHost.hasSuffix("]") {
            portText = String(patternHost[patternHost.index(after: colon)...])
            patternHost = String(patternHost[..<colon])
        }
        let portMatches: Bool
        switch portText {
        case "*": portMatches = true
        case nil: portMatches = origin.effectivePort == Origin.defaultPort(forScheme: scheme)
        case let text?: portMatches = origin.effectivePort == Int(text)
        }
        let hostMatches =
            patternHost.hasPrefix("*.")
            ? hostText.hasSuffix(String(patternHost.dropFirst())) && hostText.count > patternHost.count - 1
            : hostText == patternHost
        if portMatches && hostMatches { return true }
    }
    return false
}

@Suite("OriginSet: the compiled matcher against a naive reference")
struct OriginSetTests {
    static let labels = ["a", "b", "foo", "bar", "barfoo", "foobar", "example", "evilexample", "com", "net", "evil"]
    static let schemes = ["http", "https"]
    static let ports: [String] = ["", "", "", ":8080", ":443", ":80", ":*", ":3000"]

    static func randomHost(_ rng: inout some RandomNumberGenerator) -> String {
        (0..<Int.random(in: 1...4, using: &rng)).map { _ in labels.randomElement(using: &rng)! }.joined(separator: ".")
    }

    static func randomPattern(_ rng: inout some RandomNumberGenerator) -> String {
        if Int.random(in: 0..<60, using: &rng) == 0 { return "*" }
        let wildcard = Bool.random(using: &rng) ? "*." : ""
        return schemes.randomElement(using: &rng)! + "://" + wildcard + randomHost(&rng)
            + ports.randomElement(using: &rng)!
    }

    /// Origins built to confuse: suffixes and prefixes glued to pattern hosts, other schemes and ports, `null`.
    static func adversarialOrigin(for patterns: [String], _ rng: inout some RandomNumberGenerator) -> String {
        let base = patterns.randomElement(using: &rng)!
        var host = base.split(separator: "://").last.map(String.init) ?? "example.com"
        if host.hasPrefix("*.") { host.removeFirst(2) }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        if host == "*" || host.isEmpty { host = "example.com" }
        let label = labels.randomElement(using: &rng)!
        let mangled: String
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: mangled = label + host  // https://barfoo.com against foo.com
        case 1: mangled = host + "." + label  // https://example.com.evil.net
        case 2: mangled = label + "." + host  // a real subdomain
        case 3: mangled = label + "." + label + "." + host
        case 4: mangled = String(host.dropFirst())
        default: mangled = host
        }
        if Int.random(in: 0..<40, using: &rng) == 0 { return "null" }
        let port = ["", "", ":8080", ":3000", ":443", ":80", ":1"].randomElement(using: &rng)!
        let candidate = schemes.randomElement(using: &rng)! + "://" + mangled + port
        return Origin(headerValue: candidate) == nil ? "https://" + mangled : candidate
    }

    struct Case: Sendable, CustomStringConvertible {
        var patterns: [String]
        var origins: [String]
        var description: String { "patterns \(patterns) origins \(origins)" }
    }

    static let cases = Generator<Case, Shrink.None<Case>> { rng in
        let patterns = (0..<Int.random(in: 1...8, using: &rng)).map { _ in randomPattern(&rng) }
        let origins = (0..<5).map { _ in
            Bool.random(using: &rng)
                ? adversarialOrigin(for: patterns, &rng)
                : schemes.randomElement(using: &rng)! + "://" + randomHost(&rng) + ["", ":8080", ":3000"].randomElement(
                    using: &rng)!
        }
        return Case(patterns: patterns, origins: origins)
    }

    /// 10,000 random pattern sets × 5 origins each = 50,000 comparisons with the reference.
    @Test func agreesWithReference() async throws {
        await propertyCheck(count: 10_000, input: Self.cases) { testCase throws in
            let valid = testCase.patterns.filter { (try? OriginPattern($0)) != nil }
            let set = OriginSet(try valid.map { try OriginPattern($0) })
            for origin in testCase.origins {
                #expect(
                    set.contains(headerValue: origin) == referenceMatches(valid, origin),
                    "\(origin) against \(valid)")
                if let parsed = Origin(headerValue: origin) {
                    #expect(set.contains(parsed) == set.contains(headerValue: origin))
                }
            }
        }
    }

    /// The published bypasses of other libraries, as fixed cases.
    @Test(arguments: [
        (["https://foo.com", "https://bar.com"], "https://barfoo.com", false),  // GHSA-vhxv-fg4m-p2w8
        (["https://foo.com", "https://bar.com"], "https://bar.com", true),
        (["https://example.com"], "https://example.com.evil.net", false),
        (["https://*.example.com"], "https://evilexample.com", false),
        (["https://*.example.com"], "https://example.com", false),  // the apex is not a subdomain
        (["https://*.example.com"], "https://a.b.example.com", true),
        (["https://*.example.com"], "http://a.example.com", false),
        (["https://*.example.com"], "https://a.example.com:8443", false),
        (["https://*.example.com:*"], "https://a.example.com:8443", true),
        (["http://localhost:*"], "http://localhost", true),
        (["http://localhost:*"], "http://localhost:3000", true),
        (["http://localhost:*"], "http://localhost.evil.net:3000", false),
        (["http://localhost:*"], "https://localhost:3000", false),
        (["https://example.com"], "null", false),
        (["*"], "null", false),
        (["*"], "https://anything.example", true),
        (["http://127.0.0.1:*"], "http://127.0.0.1:9", true),
        (["http://127.0.0.1:*"], "http://227.0.0.1:9", false),
        (["http://[::1]:*"], "http://[::1]:8080", true),
    ])
    func knownBypasses(patterns: [String], origin: String, allowed: Bool) throws {
        let set = OriginSet(try patterns.map { try OriginPattern($0) })
        #expect(set.contains(headerValue: origin) == allowed)
    }

    @Test func redundantPatternsArePruned() throws {
        let set = OriginSet(
            try [
                "https://a.example.com", "https://*.example.com", "https://*.b.example.com", "http://localhost:8080",
                "http://localhost:*", "https://a.example.com", "https://example.com",
            ].map { try OriginPattern($0) })
        #expect(
            set.patterns.map(\.serialization) == ["https://*.example.com", "http://localhost:*", "https://example.com"])
        #expect(OriginSet(try ["https://a.test", "*"].map { try OriginPattern($0) }).patterns == [.all])
    }

    /// Lookups walk one trie node per host label, so 1,000 patterns answer the same as one.
    @Test func manyOrigins() throws {
        let patterns = try (0..<1000).map { try OriginPattern("https://app\($0).example.com") }
        let set = OriginSet(patterns)
        #expect(set.contains(headerValue: "https://app999.example.com"))
        #expect(!set.contains(headerValue: "https://app1000.example.com"))
    }
}
