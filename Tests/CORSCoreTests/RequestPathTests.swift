import CORSCore
import HTTPTypes
import Testing

/// The canonical path, and the paths refused because servers read them differently. Vectors: RFC 3986 §6.2.2
/// (normalization), the URL Standard's path state (what browsers send), and the bypasses of issue #13 and of Go's
/// CVE-2025-47910.
@Suite("RequestPath: one path judged and forwarded")
struct RequestPathTests {
    @Test(arguments: [
        ("/", "/"), ("/a/b", "/a/b"), ("//a//b/", "/a/b/"), ("/a/b/", "/a/b/"), ("/%70ublic/x", "/public/x"),
        ("/a%7e%2D", "/a~-"), ("/a%3bb", "/a%3Bb"), ("/a%c3%a9", "/a%C3%A9"), ("/...", "/..."),
        ("/.hidden/x", "/.hidden/x"),
        ("/a?x=../%2f\\", "/a"), ("/a;v=1/b", "/a;v=1/b"), ("/%2e%2e%2e", "/..."),
    ])
    func canonical(target: String, expected: String) throws {
        #expect(try RequestPath.canonical(target[...]).get() == expected[...])
    }

    @Test(arguments: [
        ("/partner/..%2fsecret.txt", "encoded-slash"), ("/a%2Fb", "encoded-slash"),
        ("/sso/..%5Cadmin", "encoded-backslash"),
        ("/a\\b", "backslash"), ("/a%00.txt", "encoded-nul"), ("/../secret.txt", "dot-segment"),
        ("/%2e%2e/secret.txt", "dot-segment"), ("/a/%2E/b", "dot-segment"), ("/a/.", "dot-segment"),
        ("/a/..", "dot-segment"), ("/.%2e/x", "dot-segment"), ("/sso/..;/admin/transfer", "dot-segment"),
        ("/sso/.;x/admin", "dot-segment"), ("/a%zz", "invalid-percent-encoding"), ("/a%2", "invalid-percent-encoding"),
        ("/a b", "invalid-character"), ("/a#b", "invalid-character"), ("/caf\u{e9}", "invalid-character"),
        ("/a\u{7f}", "invalid-character"), ("*", "not-origin-form"), ("http://a.example/x", "not-origin-form"),
        ("", "not-origin-form"),
    ])
    func refused(target: String, code: String) {
        #expect(throws: PathAmbiguity.self) { try RequestPath.canonical(target[...]).get() }
        if case .failure(let ambiguity) = RequestPath.canonical(target[...]) { #expect(ambiguity.code == code) }
    }

    @Test func parametersStripped() {
        #expect(RequestPath.withoutParameters("/a;x/b;y=1/c;") == "/a/b/c")
        #expect(RequestPath.withoutParameters("/a/b") == "/a/b")
    }

    /// Issue #13, item 5: a route for a partner must not hand its credentials to paths outside it.
    @Test func routeEscapesAreRefusedWith400() throws {
        let policy = try CORSPolicy(
            json: #"""
                {"allowOrigins":["https://app.example.com"],"allowCredentials":true,
                 "routes":[{"pathPrefix":"/partner/","allowOrigins":["https://partner.example"]}]}
                """#)
        for path in ["/partner/..%2fsecret.txt", "/partner/%2e%2e/secret.txt", "/partner/..;/secret.txt"] {
            let request = HTTPRequest(
                method: .get, scheme: "https", authority: "api.example", path: path,
                headerFields: [.origin: "https://partner.example"])
            let decision = policy.evaluate(request)
            #expect(decision.rejection?.code == "ambiguous-path", "\(path)")
            let response = try #require(decision.immediateResponse)
            #expect(response.status == .badRequest)
            #expect(response.headerFields[.accessControlAllowOrigin] == nil)
            #expect(response.headerFields[.vary] == "Origin")
        }
        // Without Origin the request goes on, with no CORS fields at all.
        let plain = policy.evaluate(
            HTTPRequest(
                method: .get, scheme: "https", authority: "api.example", path: "/partner/../x", headerFields: [:]))
        #expect(plain.isAllowed && plain.immediateResponse == nil && plain.headerFields.isEmpty)
        // A policy without routes does not care about the path.
        let flat = try CORSPolicy(allowOrigins: ["https://app.example.com"])
        #expect(
            flat.evaluate(
                HTTPRequest(
                    method: .get, scheme: "https", authority: "api.example", path: "/a/../b",
                    headerFields: [.origin: "https://app.example.com"])
            ).isAllowed)
    }

    /// `;` parameters are refused only when stripping them would change the route.
    @Test(
        arguments: [
            ("/admin;x/data", "ambiguous-path"), ("/admin/data;v=2", nil), ("/other;x/data", nil),
            ("/admin;jsessionid=1", "ambiguous-path"),
        ] as [(String, String?)])
    func parametersThatChangeTheRoute(path: String, rejection: String?) throws {
        let policy = try CORSPolicy(
            allowOrigins: ["*"], routes: [.init(pathPrefix: "/admin", allowOrigins: ["https://admin.example"])])
        let decision = policy.evaluate(
            HTTPRequest(
                method: .get, scheme: "https", authority: "api.example", path: path,
                headerFields: [.origin: "https://admin.example"]))
        #expect(decision.rejection?.code == rejection)
    }
}
