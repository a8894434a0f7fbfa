import CORSCore
import Testing

@Suite("CORSPolicy: validation, one example per code")
struct PolicyValidationTests {
    static func problems(_ configuration: CORSPolicy.Configuration) -> [PolicyDiagnostic] {
        do {
            _ = try CORSPolicy(configuration)
            return []
        } catch {
            return error.diagnostics
        }
    }

    static func problems(origins: [String], credentials: Bool = false) -> [PolicyDiagnostic] {
        problems(.init(allowOrigins: origins, allowCredentials: credentials))
    }

    /// Each origin mistake, the code it gets, and a piece of the fix the diagnostic must offer.
    @Test(arguments: [
        ("null", PolicyDiagnostic.Code.nullOrigin, Optional("remove it")),
        ("file://", .fileOrigin, "serve the page over http(s)"),
        ("example.com", .missingScheme, "did you mean `https://example.com`?"),
        ("https//example.com", .invalidOrigin, nil),
        ("https://example.com/", .originTrailingSlash, "remove the trailing `/`"),
        ("https://example.com/app", .originHasPath, "remove `/app`"),
        ("https://user@example.com", .originHasUserinfo, "remove `user@`"),
        ("https://example.com:443", .originDefaultPort, "drop the default port `:443`"),
        ("http://example.com:80", .originDefaultPort, "drop the default port `:80`"),
        ("https://example.com:99999", .invalidPort, nil),
        ("https://example.com:08443", .invalidPort, "write `:8443`"),
        ("https://Example.COM", .originNotLowercase, "write `example.com`"),
        ("HTTPS://example.com", .originNotLowercase, "write `https://example.com`"),
        ("https://bücher.example", .originNotASCII, "write `xn--bcher-kva.example`"),
        ("http://0x7f.1", .ipNotCanonical, "write `127.0.0.1`"),
        ("http://[0:0:0:0:0:0:0:1]", .ipNotCanonical, "write `[::1]`"),
        ("https://*example.com", .invalidWildcard, "did you mean `https://*.example.com`?"),
        ("https://example.*", .invalidWildcard, nil),
        ("https://a.*.example.com", .invalidWildcard, nil),
        ("https://*.127.0.0.1", .invalidWildcard, "list the address itself"),
    ])
    func originProblems(origin: String, code: PolicyDiagnostic.Code, fix: String?) throws {
        let problems = Self.problems(origins: [origin])
        let problem = try #require(problems.first { $0.code == code }, "\(problems)")
        #expect(problem.path == "allowOrigins[0]")
        #expect(problem.value == origin)
        if let fix { #expect(problem.fix?.contains(fix) == true, "\(problem)") }
    }

    /// Issue #17, item 4: origins classified as the Secure Contexts spec does
    /// (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy), and hosts no browser can send.
    @Test(
        arguments: [
            ("http://localhost.", [PolicyDiagnostic.Code.originTrailingDot]),
            ("http://foo.localhost.", [.originTrailingDot]),
            ("https://example.com.", [.originTrailingDot]),
            ("https://*.com.", [.originTrailingDot]),
            ("https://" + String(repeating: "a", count: 64) + ".example", [.invalidOrigin]),
            (
                "https://" + Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: "."),
                [
                    .invalidOrigin
                ]
            ),
            ("http://xn--f", [.invalidOrigin]), ("https://xn--.example", [.invalidOrigin]),
            ("https://xn--bcher-kva.example", []), ("https://xn--mnchen-3ya.example", []),
            ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", []),
            ("moz-extension://2e8c0f2d-58a3-4d6b-9a3e-0f6c7e3b1a11", []), ("capacitor://localhost", []),
            ("http://localhost", []), ("http://app.localhost:3000", []),
            ("ionic://app", [.insecureOriginWithCredentials]), ("http://app.example", [.insecureOriginWithCredentials]),
        ] as [(String, [PolicyDiagnostic.Code])])
    func originsAsBrowsersClassifyThem(origin: String, codes: [PolicyDiagnostic.Code]) {
        let problems = Self.problems(origins: [origin], credentials: true)
        #expect(problems.map(\.code) == codes, "\(origin): \(problems)")
        if origin == "ionic://app" {
            #expect(problems.first?.message.contains("`ionic:` origin") == true)
            #expect(problems.first?.message.contains("plain-http") == false)
        }
        if origin == "https://example.com." { #expect(problems.first?.fix == "write `https://example.com`") }
    }

    @Test func loopbackNamesWithAFinalDot() throws {
        #expect(try #require(Origin(headerValue: "http://localhost:3000")).isPotentiallyTrustworthy)
        for host in ["localhost.", "foo.localhost.", "localhost", "a.b.localhost"] {
            #expect(Origin(scheme: "http", host: .domain(host)).isPotentiallyTrustworthy, "\(host)")
        }
        #expect(!Origin(scheme: "http", host: .domain("localhost.example")).isPotentiallyTrustworthy)
        #expect(Origin(scheme: "chrome-extension", host: .domain("abc")).isPotentiallyTrustworthy)
    }

    @Test func credentialRules() throws {
        #expect(Self.problems(origins: ["*"], credentials: true).map(\.code) == [.wildcardOriginWithCredentials])
        #expect(Self.problems(origins: ["*"]).isEmpty)
        #expect(
            Self.problems(origins: ["http://app.example.com"], credentials: true).map(\.code) == [
                .insecureOriginWithCredentials
            ])
        #expect(
            Self.problems(origins: ["http://*.example.com"], credentials: true).map(\.code) == [
                .insecureOriginWithCredentials
            ])
        #expect(
            Self.problems(origins: ["http://app.example.com"]).isEmpty, "without credentials http is no worse than *")
        for secure in ["http://localhost:3000", "http://127.0.0.1:*", "http://[::1]:8080", "http://*.localhost"] {
            #expect(Self.problems(origins: [secure], credentials: true).isEmpty, "\(secure)")
        }
        for suffix in ["https://*.com", "https://*.github.io", "https://*.co.uk", "https://*.pages.dev"] {
            #expect(
                Self.problems(origins: [suffix], credentials: true).map(\.code) == [
                    .publicSuffixWildcardWithCredentials
                ])
            #expect(Self.problems(origins: [suffix]).isEmpty)
        }
        #expect(Self.problems(origins: ["https://*.example.com", "https://*.me.github.io"], credentials: true).isEmpty)
        var dangerous = CORSPolicy.Configuration(
            allowOrigins: ["http://a.example", "https://*.github.io"], allowCredentials: true)
        dangerous.dangerouslyAllowInsecureOriginsWithCredentials = true
        dangerous.dangerouslyAllowPublicSuffixWildcardsWithCredentials = true
        #expect(Self.problems(dangerous).isEmpty)
    }

    @Test func methodHeaderAndNumberProblems() throws {
        let problems = Self.problems(
            .init(
                allowOrigins: [], allowMethods: ["PUT", "TRACE", "BAD METHOD"],
                allowHeaders: ["x-ok", "cookie", "sec-fetch-mode", "access-control-allow-origin", "X-Bad: 1"],
                exposeHeaders: ["x-total", "set-cookie", "access-control-max-age", "*"], allowCredentials: true,
                maxAge: 90_000, preflightSuccessStatus: 302))
        let summary = problems.map { "\($0.path) \($0.code.code)" }
        #expect(
            summary == [
                "allowOrigins no-origins",
                "allowMethods[1] forbidden-method", "allowMethods[2] invalid-method",
                "allowHeaders[1] forbidden-request-header", "allowHeaders[2] forbidden-request-header",
                "allowHeaders[3] prohibited-request-header", "allowHeaders[4] invalid-header-name",
                "exposeHeaders[1] forbidden-expose-header", "exposeHeaders[2] prohibited-expose-header",
                "exposeHeaders[3] expose-wildcard-with-credentials",
                "maxAge max-age-out-of-range", "preflightSuccessStatus invalid-preflight-status",
            ])
        #expect(problems[6].fix?.contains("without `:`") == true)
    }

    @Test func routeProblems() throws {
        let problems = Self.problems(
            .init(
                allowOrigins: ["https://app.example.com"], allowCredentials: true,
                routes: [
                    .init(pathPrefix: "/public/", allowOrigins: ["*"]),
                    .init(pathPrefix: "api"),
                    .init(pathPrefix: "/public", allowCredentials: false),
                    .init(pathPrefix: "/x/../y"),
                ]))
        #expect(
            problems.map { "\($0.path) \($0.code.code)" } == [
                "routes[0].allowOrigins[0] wildcard-origin-with-credentials",
                "routes[1].pathPrefix invalid-route-prefix",
                "routes[2].pathPrefix duplicate-route-prefix",
                "routes[3].pathPrefix invalid-route-prefix",
            ])
        #expect(problems[1].fix == "write `/api`")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let problems = Self.problems(origins: [
            "null", "https://ok.example", "HTTPS://Example.com:443/", "https://*x.com",
        ])
        #expect(
            problems.map(\.code) == [
                .nullOrigin, .originTrailingSlash, .originDefaultPort, .originNotLowercase, .originNotLowercase,
                .invalidWildcard,
            ])
        #expect(problems.filter { $0.path == "allowOrigins[2]" }.count == 4)
    }

    @Test func validPolicyNormalizesAndPrunes() throws {
        let policy = try CORSPolicy(
            allowOrigins: ["https://a.example.com", "https://*.example.com", "http://localhost:*"],
            allowMethods: ["get", "delete", "PATCH", "*"], allowHeaders: ["X-Request-ID", "content-type"])
        #expect(policy.allowedOrigins().map(\.serialization) == ["https://*.example.com", "http://localhost:*"])
    }

    @Test func errorDescriptionNamesEveryProblem() {
        do {
            _ = try CORSPolicy(allowOrigins: ["https://example.com/"], maxAge: -1)
            Issue.record("expected an error")
        } catch {
            let text = error.description
            #expect(text.contains("2 problems"))
            #expect(text.contains("allowOrigins[0]: `https://example.com/`"))
            #expect(text.contains("[origin-trailing-slash]"))
            #expect(text.contains("[max-age-out-of-range]"))
        }
    }

    @Test func publicSuffixList() {
        #expect(PublicSuffixList.isPublicSuffix("com"))
        #expect(PublicSuffixList.isPublicSuffix("github.io"))
        #expect(PublicSuffixList.isPublicSuffix("anything-unknown"), "the implicit `*` rule")
        #expect(PublicSuffixList.isPublicSuffix("foo.ck"), "wildcard rule *.ck")
        #expect(!PublicSuffixList.isPublicSuffix("www.ck"), "exception rule !www.ck")
        #expect(!PublicSuffixList.isPublicSuffix("example.com"))
        #expect(!PublicSuffixList.snapshotVersion.isEmpty)
    }
}

@Suite("CORSPolicy: the policy file")
struct PolicyFileTests {
    static let designExample = """
        {
          "allowOrigins": ["https://app.example.com", "https://*.example.com", "http://localhost:*"],
          "allowMethods": ["GET", "POST", "PUT", "DELETE"],
          "allowHeaders": ["authorization", "content-type", "x-request-id"],
          "exposeHeaders": ["x-total-count"],
          "allowCredentials": true,
          "maxAge": 600,
          "routes": [ { "pathPrefix": "/public/", "allowOrigins": ["*"], "allowCredentials": false } ]
        }
        """

    @Test func designExampleLoads() throws {
        let policy = try CORSPolicy(json: Self.designExample)
        #expect(policy.configuration.maxAge == 600)
        #expect(policy.allowedOrigins(forPath: "/public/x") == [.all])
        #expect(policy.allowedOrigins(forPath: "/private").count == 2)
    }

    static func problems(_ json: String) -> [PolicyDiagnostic] {
        CORSPolicy.diagnostics(json: json)
    }

    @Test func unknownKeysTypesAndDuplicatesAreReportedTogether() {
        let problems = Self.problems(
            """
            {"allowOrigin": ["https://a.example"], "allowOrigins": ["https://a.example", 7], "maxAge": "600",
             "allowCredentials": true, "allowCredentials": true, "routes": [{"allowOrigins": ["*"]}, {"pathPrefix": "/x", "colour": 1}]}
            """)
        #expect(
            problems.map { "\($0.path) \($0.code.code)" } == [
                "allowOrigin unknown-key", "allowCredentials duplicate-key", "allowOrigins[1] wrong-type",
                "maxAge wrong-type", "routes[0] missing-key", "routes[1].colour unknown-key",
            ])
        #expect(problems[0].fix == "did you mean `allowOrigins`?")
    }

    @Test func syntaxErrorsGiveLineAndColumn() throws {
        let problems = Self.problems("{\n  \"allowOrigins\": [\"https://a.example\",]\n}")
        let problem = try #require(problems.first)
        #expect(problem.code == .invalidJSON)
        #expect(problem.message.contains("line 2, column 40"), "\(problem.message)")
    }

    @Test func validationProblemsCarryJSONPaths() {
        let problems = Self.problems(
            #"{"allowOrigins": ["https://a.example/"], "routes": [{"pathPrefix": "/p", "maxAge": -5}]}"#)
        #expect(problems.map(\.path) == ["allowOrigins[0]", "routes[0].maxAge"])
    }

    /// A route's own fields are checked like the top level's, at the route's paths.
    @Test func routeFieldsAreChecked() {
        let problems = Self.problems(
            #"""
            {"allowOrigins": ["https://a.example"], "routes": [{"pathPrefix": "/x", "allowMethods": ["TRACE", "BAD METHOD"],
             "allowHeaders": ["cookie"], "exposeHeaders": ["set-cookie"]}]}
            """#)
        #expect(
            problems.map { "\($0.path) \($0.code)" } == [
                "routes[0].allowMethods[0] forbidden-method", "routes[0].allowMethods[1] invalid-method",
                "routes[0].allowHeaders[0] forbidden-request-header",
                "routes[0].exposeHeaders[0] forbidden-expose-header",
            ])
    }
}
