import CORSCore
import HTTPTypes
import Testing

@Suite("CrossOriginProtection: one vector per branch (Go 1.25's algorithm, with its gaps closed)")
struct ProtectionTests {
    static let protection = try! CrossOriginProtection(
        .init(
            trustedOrigins: ["https://partner.example", "https://*.trusted.example"],
            exempt: ["/hooks/stripe", "/sso/*"]))

    static func request(
        _ method: HTTPRequest.Method = .post, path: String = "/transfer", host: String = "bank.example",
        site: String? = nil, origin: String? = nil
    ) -> HTTPRequest {
        var fields = HTTPFields()
        if let site { fields[HTTPField.Name("Sec-Fetch-Site")!] = site }
        if let origin { fields.append(HTTPField(name: .origin, value: origin)) }
        return HTTPRequest(method: method, scheme: "https", authority: host, path: path, headerFields: fields)
    }

    @Test(
        arguments: [
            // method, path, Sec-Fetch-Site, Origin, Host → reason, allowed
            ("GET", "/transfer", "cross-site", "https://evil.example", "bank.example", "safe-method", true),
            ("HEAD", "/transfer", "cross-site", nil, "bank.example", "safe-method", true),
            ("OPTIONS", "/transfer", "cross-site", nil, "bank.example", "safe-method", true),
            ("POST", "/transfer", "same-origin", "https://bank.example", "bank.example", "same-origin", true),
            ("POST", "/transfer", "none", nil, "bank.example", "same-origin", true),
            ("POST", "/transfer", "same-site", "https://www.bank.example", "bank.example", "same-site-request", false),
            ("POST", "/transfer", "cross-site", "https://evil.example", "bank.example", "cross-site-request", false),
            ("DELETE", "/transfer", "cross-site", "https://evil.example", "bank.example", "cross-site-request", false),
            (
                "POST", "/transfer", "cross-origin", "https://evil.example", "bank.example", "unknown-sec-fetch-site",
                false
            ),
            ("POST", "/transfer", "cross-site", "https://partner.example", "bank.example", "trusted-origin", true),
            ("POST", "/transfer", "cross-site", "https://a.b.trusted.example", "bank.example", "trusted-origin", true),
            ("POST", "/transfer", "cross-site", "https://trusted.example", "bank.example", "cross-site-request", false),
            ("POST", "/hooks/stripe", "cross-site", "https://evil.example", "bank.example", "exempt-path", true),
            (
                "POST", "/hooks/stripe/", "cross-site", "https://evil.example", "bank.example", "cross-site-request",
                false
            ),
            (
                "POST", "/hooks/stripe/x", "cross-site", "https://evil.example", "bank.example", "cross-site-request",
                false
            ),
            ("POST", "/hooks/stripe?x=1", "cross-site", "https://evil.example", "bank.example", "exempt-path", true),
            ("POST", "/sso/callback", "cross-site", "https://idp.example", "bank.example", "exempt-path", true),
            ("POST", "/sso", "cross-site", "https://idp.example", "bank.example", "exempt-path", true),
            ("POST", "/ssox", "cross-site", "https://idp.example", "bank.example", "cross-site-request", false),
            ("POST", "/sso/../transfer", "cross-site", "https://evil.example", "bank.example", "ambiguous-path", false),
            // Issue #13, item 5: servers that decode `%2F`/`%5C` or strip `;` would route these to /admin/transfer.
            (
                "POST", "/sso/..;/admin/transfer", "cross-site", "https://e.example", "bank.example", "ambiguous-path",
                false
            ),
            (
                "POST", "/sso/..%2Fadmin/transfer", "cross-site", "https://e.example", "bank.example", "ambiguous-path",
                false
            ),
            (
                "POST", "/sso/..%5Cadmin/transfer", "cross-site", "https://e.example", "bank.example", "ambiguous-path",
                false
            ),
            ("POST", "/sso;x/callback", "cross-site", "https://idp.example", "bank.example", "ambiguous-path", false),
            ("POST", "/sso/callback;x", "cross-site", "https://idp.example", "bank.example", "exempt-path", true),
            // Same-origin requests need no exemption, so their path is not judged.
            ("POST", "/sso/../transfer", "same-origin", "https://bank.example", "bank.example", "same-origin", true),
            ("POST", "/transfer", nil, nil, "bank.example", "no-browser-metadata", true),
            ("POST", "/transfer", nil, "null", "bank.example", "null-origin", false),
            ("POST", "/transfer", nil, "https://bank.example", "bank.example", "same-origin", true),
            ("POST", "/transfer", nil, "https://bank.example:8443", "bank.example:8443", "same-origin", true),
            ("POST", "/transfer", nil, "https://bank.example:8443", "bank.example", "origin-mismatch", false),
            ("POST", "/transfer", nil, "https://evil.example", "bank.example", "origin-mismatch", false),
            ("POST", "/transfer", nil, "http://evil@bank.example", "bank.example", "malformed-origin", false),
            ("POST", "/transfer", "same-origin", "http://evil@bank.example", "bank.example", "malformed-origin", false),
        ] as [(String, String, String?, String?, String, String, Bool)])
    func vector(
        method: String, path: String, site: String?, origin: String?, host: String, reason: String, allowed: Bool
    ) {
        let decision = Self.protection.evaluate(
            Self.request(HTTPRequest.Method(method)!, path: path, host: host, site: site, origin: origin))
        #expect(decision.reason.code == reason)
        #expect(decision.isAllowed == allowed)
        let status: HTTPResponse.Status? = allowed ? nil : reason == "ambiguous-path" ? .badRequest : .forbidden
        #expect(decision.rejectionResponse?.status == status)
    }

    /// Issue #17, item 3: a WebSocket handshake is a `GET`, but it opens a channel that carries the user's cookies;
    /// it is checked like a state-changing request (cross-site WebSocket hijacking), with the same reasons.
    @Test(
        arguments: [
            // Upgrade, Sec-Fetch-Site, Origin → reason, allowed
            ("websocket", "cross-site", "https://evil.example", "cross-site-request", false),
            ("WebSocket", "cross-site", "https://evil.example", "cross-site-request", false),
            ("h2c, websocket", nil, "https://evil.example", "origin-mismatch", false),
            ("websocket", nil, "null", "null-origin", false),
            ("websocket", "same-origin", "https://bank.example", "same-origin", true),
            ("websocket", nil, "https://bank.example", "same-origin", true),
            ("websocket", "cross-site", "https://partner.example", "trusted-origin", true),
            ("websocket", nil, nil, "no-browser-metadata", true),
            ("h2c", "cross-site", "https://evil.example", "safe-method", true),
            ("websocketx", "cross-site", "https://evil.example", "safe-method", true),
            // `Upgrade` dropped on the way (a connection-specific field), `Sec-WebSocket-Key` kept.
            ("", "cross-site", "https://evil.example+key", "cross-site-request", false),
        ] as [(String, String?, String?, String, Bool)])
    func webSocketHandshakes(upgrade: String, site: String?, origin: String?, reason: String, allowed: Bool) {
        let withKey = origin?.hasSuffix("+key") == true
        let origin = withKey ? origin.map { String($0.dropLast(4)) } : origin
        var request = Self.request(.get, path: "/ws", site: site, origin: origin)
        if upgrade.isEmpty {
            request.headerFields[.secWebSocketKey] = "dGhlIHNhbXBsZSBub25jZQ=="
        } else {
            request.headerFields[.upgrade] = upgrade
            request.headerFields[.connection] = "Upgrade"
        }
        let decision = Self.protection.evaluate(request)
        #expect(decision.reason.code == reason && decision.isAllowed == allowed, "\(upgrade) \(site ?? "-")")
        let unchecked = try! CrossOriginProtection(.init(checkWebSockets: false))
        #expect(unchecked.evaluate(request).reason.code == "safe-method")
        // HTTP/2: extended CONNECT with :protocol websocket (RFC 8441).
        var connect = Self.request(.connect, path: "/ws", site: site, origin: origin)
        connect.extendedConnectProtocol = "websocket"
        if upgrade == "websocket" || withKey {
            #expect(Self.protection.evaluate(connect).reason.code == reason)
        }
    }

    @Test func sameSiteWhenAllowed() throws {
        let lenient = try CrossOriginProtection(.init(allowSameSite: true))
        #expect(lenient.evaluate(Self.request(site: "same-site")).isAllowed)
        #expect(!lenient.evaluate(Self.request(site: "cross-site")).isAllowed)
    }

    /// Behind a proxy that rewrites Host, the configured public origin decides — and the scheme counts.
    @Test func publicOrigin() throws {
        let proxied = try CrossOriginProtection(.init(publicOrigin: "https://bank.example"))
        #expect(proxied.evaluate(Self.request(host: "10.0.0.5:8080", origin: "https://bank.example")).isAllowed)
        #expect(!proxied.evaluate(Self.request(host: "10.0.0.5:8080", origin: "http://bank.example")).isAllowed)
        #expect(
            !Self.protection.evaluate(Self.request(host: "10.0.0.5:8080", origin: "https://bank.example")).isAllowed)
    }

    @Test func reportOnlyLetsRequestsThroughButSaysSo() throws {
        let report = try CrossOriginProtection(.init(reportOnly: true))
        let decision = report.evaluate(Self.request(site: "cross-site", origin: "https://evil.example"))
        #expect(decision.isAllowed && decision.refused && decision.rejectionResponse == nil)
        #expect(
            decision.logMessage(for: Self.request(site: "cross-site", origin: "https://evil.example"))?
                .hasPrefix("would refuse cross-origin request [cross-site-request]") == true)
    }

    @Test func varyOnTheHeadersItReads() {
        var fields: HTTPFields = [.vary: "Accept-Encoding"]
        Self.protection.evaluate(Self.request(site: "same-origin")).apply(to: &fields)
        #expect(fields[values: .vary] == ["Accept-Encoding", "Origin, Sec-Fetch-Site"])
        var listed: HTTPFields = [.vary: "origin"]
        Self.protection.evaluate(Self.request(site: "same-origin")).apply(to: &listed)
        #expect(
            listed[values: .vary] == ["origin", "Sec-Fetch-Site"], "a name already listed, in any case, is not repeated"
        )
        var safe = HTTPFields()
        Self.protection.evaluate(Self.request(.get, site: "cross-site")).apply(to: &safe)
        #expect(safe[.vary] == nil)
        #expect(
            Self.protection.evaluate(Self.request(site: "cross-site")).rejectionResponse?.headerFields[.vary]
                == "Origin, Sec-Fetch-Site")
    }

    @Test func configurationProblemsAndThePolicyFile() throws {
        #expect(throws: CORSPolicyError.self) { try CrossOriginProtection(.init(trustedOrigins: ["*"])) }
        let problems = PolicyFile.diagnostics(
            json: #"""
                {"allowOrigins": ["https://a.example"], "crossOriginProtection": {"trustedOrigins": ["null", "*"],
                 "exempt": ["hooks"], "publicOrigin": "https://a.example/", "reportonly": true}}
                """#)
        #expect(
            problems.map { "\($0.path) \($0.code.code)" } == [
                "crossOriginProtection.reportonly unknown-key",
                "crossOriginProtection.trustedOrigins[0] null-origin",
                "crossOriginProtection.trustedOrigins[1] wildcard-trusted-origin",
                "crossOriginProtection.exempt[0] invalid-exempt-path",
                "crossOriginProtection.publicOrigin invalid-public-origin",
            ])
        let file = try PolicyFile(
            json:
                #"{"allowOrigins": ["https://a.example"], "crossOriginProtection": {"enabled": true, "trustedOrigins": ["https://a.example"], "exempt": ["/hooks/*"], "reportOnly": false}}"#
        )
        #expect(
            file.crossOriginProtection?.evaluate(Self.request(site: "cross-site", origin: "https://a.example"))
                .isAllowed == true)
        let disabled = try PolicyFile(
            json: #"{"allowOrigins": ["https://a.example"], "crossOriginProtection": {"enabled": false}}"#)
        #expect(disabled.crossOriginProtection?.evaluate(Self.request(site: "cross-site")).isAllowed == true)
        // A CORS policy alone does not take the protection: that file is a PolicyFile.
        #expect(
            CORSPolicy.diagnostics(json: #"{"allowOrigins": ["https://a.example"], "crossOriginProtection": {}}"#)
                .map(\.code) == [.unknownKey])
    }
}
