import CORSCore
import Testing

@Suite("Origin: parsing and ASCII serialization (URL Standard, HTML)")
struct OriginTests {
    /// URL → origin serialization, per the URL Standard's parser and HTML's ASCII serialization.
    @Test(arguments: [
        ("https://example.com/path?q#f", "https://example.com"),
        ("HTTPS://EXAMPLE.com:443/", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("http://example.com:8080", "http://example.com:8080"),
        ("http://example.com:0080", "http://example.com"),
        ("ws://example.com:80", "ws://example.com"),
        ("wss://example.com:443", "wss://example.com"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://BÜCHER.example", "https://xn--bcher-kva.example"),
        ("https://münchen.de", "https://xn--mnchen-3ya.de"),
        ("https://例え.テスト", "https://xn--r8jz45g.xn--zckzah"),
        ("http://0x7f.1/", "http://127.0.0.1"),
        ("http://2130706433/", "http://127.0.0.1"),
        ("http://0177.0.0.1/", "http://127.0.0.1"),
        ("http://192.168.1/", "http://192.168.0.1"),
        ("http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]:8080"),
        ("http://[2001:DB8:0:0:1:0:0:1]/", "http://[2001:db8::1:0:0:1]"),
        ("http://[2001:db8::]/", "http://[2001:db8::]"),
        ("http://[1:0:0:2:0:0:0:3]/", "http://[1:0:0:2::3]"),
        ("http://[::ffff:192.168.0.1]/", "http://[::ffff:c0a8:1]"),
        ("http://[1:2:3:4:5:6:7:0]/", "http://[1:2:3:4:5:6:7:0]"),
        ("https://user:pass@example.com/", "https://example.com"),
        ("  https://example.com/\n", "https://example.com"),
        ("https:\\\\example.com\\x", "https://example.com"),
        ("https://ex%41mple.com/", "https://example.com"),
        ("blob:https://example.com/0b4f", "https://example.com"),
    ])
    func urlOrigin(url: String, expected: String) throws {
        #expect(try Origin(url: url).serialization == expected)
    }

    /// Schemes whose URLs have an opaque origin: each parse gives a new one.
    @Test(arguments: [
        "file:///etc/passwd", "data:text/plain,hi", "about:blank", "javascript:alert(1)",
        "blob:data:text/plain,x", "chrome-extension://abc/page",
    ])
    func opaqueOrigins(url: String) throws {
        let first = try Origin(url: url)
        let second = try Origin(url: url)
        #expect(first.isOpaque)
        #expect(first.serialization == "null")
        #expect(first.isSameOrigin(first))
        #expect(!first.isSameOrigin(second), "an opaque origin is same origin only with itself")
    }

    @Test(arguments: [
        "example.com", "//example.com", "https://", "https://exa mple.com", "http://192.168.0.257",
        "http://1.2.3.4.5", "http://example.com:65536", "http://example.com:8a", "http://[::1", "http://[1::2::3]",
        "http://[::1%25eth0]", "https://exa<mple.com", "1http://x", "https://" + String(repeating: "ü", count: 300),
    ])
    func invalidURLs(url: String) {
        #expect(throws: Origin.URLParseError.self) { try Origin(url: url) }
    }

    @Test func sameOriginComparesSchemeHostAndPort() throws {
        let a = try Origin(url: "https://example.com/a")
        #expect(a.isSameOrigin(try Origin(url: "https://EXAMPLE.com:443/b")))
        #expect(!a.isSameOrigin(try Origin(url: "http://example.com/")))
        #expect(!a.isSameOrigin(try Origin(url: "https://example.com:8443/")))
        #expect(!a.isSameOrigin(try Origin(url: "https://www.example.com/")))
        #expect(a.effectivePort == 443 && a.port == nil)
    }

    /// Fetch's `Origin` header grammar: only canonical serializations (what browsers send) are accepted.
    @Test(arguments: [
        "https://example.com", "http://localhost:8080", "http://127.0.0.1:3000", "http://[::1]:8080",
        "https://xn--bcher-kva.example", "chrome-extension://abcdefgh", "https://a_b.example.com",
        "ftp://files.example",
    ])
    func canonicalHeaderValues(value: String) throws {
        let origin = try #require(Origin(headerValue: value))
        #expect(origin.serialization == value)
    }

    @Test(arguments: [
        "https://example.com/", "HTTPS://example.com", "https://Example.com", "https://example.com:443",
        "http://example.com:80", "https://example.com:0443", "https://example.com, https://b.example",
        "https://example.com https://b.example", "http://0x7f.0.0.1", "http://127.000.0.1", "http://127.1",
        "http://[0:0:0:0:0:0:0:1]", "http://[::FFFF:1]", "https://", "https://exa mple.com", "https://bücher.example",
        "https://example..com", "https://.example.com", "https://example.com:", "https://example.com:65536",
        "example.com", "", "null ", "*",
    ])
    func nonCanonicalHeaderValuesAreRejected(value: String) {
        #expect(Origin(headerValue: value) == nil)
    }

    @Test func nullHeaderIsAnOpaqueOrigin() throws {
        let origin = try #require(Origin(headerValue: "null"))
        #expect(origin.isOpaque)
        #expect(!origin.isPotentiallyTrustworthy)
    }

    @Test(arguments: [
        ("https://example.com", true), ("wss://example.com", true), ("http://localhost:3000", true),
        ("http://api.localhost", true), ("http://127.0.0.2", true), ("http://[::1]", true),
        ("http://example.com", false), ("http://localhost.evil.net", false), ("http://10.0.0.1", false),
    ])
    func potentiallyTrustworthy(value: String, expected: Bool) throws {
        #expect(try #require(Origin(headerValue: value)).isPotentiallyTrustworthy == expected)
    }
}

@Suite("Punycode (RFC 3492 §7.1 sample strings)")
struct PunycodeTests {
    @Test(arguments: [
        ("他们为什么不说中文", "xn--ihqwcrb4cv8a8dqg056pqjye"),
        ("3年b組金八先生", "xn--3b-ww4c5e180e575a65lsy2b"),
        ("ليهمابتكلموشعربي؟", "xn--egbpdaj6bu4bxfgehfvwxn"),
        ("pročprostěnemluvíčesky", "xn--proprostnemluvesky-uyb24dma41a"),
        ("bücher", "xn--bcher-kva"),
    ])
    func samples(label: String, expected: String) throws {
        #expect(try Origin(url: "https://\(label).test").host == .domain(expected + ".test"))
    }
}
