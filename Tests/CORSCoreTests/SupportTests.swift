import CORSCore
import HTTPTypes
import Testing

@Suite("The policy file's JSON reader")
struct JSONReaderTests {
    static func problems(_ json: String) -> [PolicyDiagnostic] {
        CORSPolicy.diagnostics(json: json)
    }

    @Test func escapesAndUnicode() throws {
        let policy = try CORSPolicy(
            json:
                #"{"allowOrigins": ["https:\/\/a.example", "https://\u0062.example"], "routes": [{"pathPrefix": "/\u0061"}]}"#
        )
        #expect(policy.allowedOrigins().map(\.serialization) == ["https://a.example", "https://b.example"])
        #expect(policy.configuration.routes.first?.pathPrefix == "/a")
        // A surrogate pair decodes to one scalar; as a route prefix it must be written as a browser sends it.
        let problem = try #require(
            Self.problems(#"{"allowOrigins": ["https://a.example"], "routes": [{"pathPrefix": "/\ud83d\ude00"}]}"#)
                .first)
        #expect(problem.value == "/😀" && problem.fix == "write `/%F0%9F%98%80`")
    }

    @Test(arguments: [
        ("", "line 1, column 1"), ("{", "line 1, column 2"), ("{\"a\" 1}", "expected `:`"),
        ("[1,]", "unexpected character"), ("{\"a\":\"\u{01}\"}", "control character"),
        ("{\"a\":\"\\x\"}", "invalid escape"),
        ("{\"a\":\"\\ud800\"}", "unpaired surrogate"), ("{\"a\":01}", "expected `,` or `}`"),
        ("{\"a\":-}", "expected a digit"),
        ("{\"a\":1.}", "after `.`"), ("{\"a\":1e}", "exponent"), ("{} x", "after the value"),
        ("nul", "expected `null`"),
        (String(repeating: "[", count: 40), "nested deeper"), ("\"abc", "unterminated string"),
    ])
    func syntaxErrors(json: String, message: String) throws {
        let problem = try #require(Self.problems(json).first)
        #expect(problem.code == .invalidJSON)
        #expect(problem.message.contains(message), "\(problem.message)")
    }

    @Test func wrongTopLevelAndRouteTypes() {
        #expect(Self.problems("[]").map(\.code).contains(.wrongType))
        let problems = Self.problems(
            #"{"allowOrigins": ["https://a.example"], "allowCredentials": "yes", "routes": {"pathPrefix": "/x"}}"#)
        #expect(problems.map(\.path) == ["allowCredentials", "routes"])
        let routeProblems = Self.problems(
            #"{"allowOrigins": ["https://a.example"], "routes": [3, {"pathPrefix": 4, "maxAge": 1.5, "allowMethods": "PUT"}]}"#
        )
        #expect(
            routeProblems.map(\.path) == [
                "routes[0]", "routes[1].pathPrefix", "routes[1].maxAge", "routes[1].allowMethods", "routes[1]",
            ])
    }

    @Test func everyRouteFieldIsRead() throws {
        let policy = try CORSPolicy(
            json: """
                {"allowOrigins": ["https://a.example"], "routes": [{"pathPrefix": "/r", "allowOrigins": ["http://b.example"],
                 "allowMethods": ["PUT"], "allowHeaders": ["x-a"], "exposeHeaders": ["x-b"], "allowCredentials": true,
                 "maxAge": 5, "preflightSuccessStatus": 200, "dangerouslyAllowInsecureOriginsWithCredentials": true,
                 "dangerouslyAllowPublicSuffixWildcardsWithCredentials": false}],
                 "dangerouslyAllowInsecureOriginsWithCredentials": false,
                 "dangerouslyAllowPublicSuffixWildcardsWithCredentials": false, "preflightSuccessStatus": 204}
                """)
        let route = try #require(policy.configuration.routes.first)
        #expect(route.allowMethods == ["PUT"] && route.maxAge == 5 && route.preflightSuccessStatus == 200)
        #expect(policy.allowedOrigins(forPath: "/r/x").map(\.serialization) == ["http://b.example"])
    }
}

@Suite("OriginPattern: matching and subsumption")
struct OriginPatternTests {
    @Test func matchesOrigins() throws {
        let wildcard = try OriginPattern("https://*.example.com:*")
        #expect(wildcard.matches(try Origin(url: "https://a.example.com:8443")))
        #expect(!wildcard.matches(try Origin(url: "https://example.com")))
        #expect(!wildcard.matches(.opaque()))
        #expect(try OriginPattern("http://[::1]:8080").matches(try Origin(url: "http://[0::1]:8080/")))
        #expect(OriginPattern.all.matches(try Origin(url: "http://x.test")))
        #expect(wildcard.scheme == "https" && OriginPattern.all.scheme == nil)
        #expect(wildcard.description == "https://*.example.com:*")
    }

    @Test func subsumption() throws {
        func p(_ text: String) throws -> OriginPattern { try OriginPattern(text) }
        #expect(try p("https://*.example.com").subsumes(p("https://*.a.example.com")))
        #expect(try !p("https://*.a.example.com").subsumes(p("https://*.example.com")))
        #expect(try !p("https://example.com").subsumes(p("https://*.example.com")))
        #expect(try !p("https://*.example.com").subsumes(p("https://*.example.com:*")))
        #expect(try !p("https://a.example").subsumes(.all))
        #expect(try !p("https://*.example.com").subsumes(p("http://a.example.com")))
        #expect(try !p("https://*.example.com").subsumes(p("https://127.0.0.1")))
    }

    @Test func invalidPatternThrowsEveryProblem() {
        #expect(throws: CORSPolicyError.self) { try OriginPattern("HTTPS://Example.com:443/") }
        do {
            _ = try OriginPattern("HTTPS://Example.com:443/")
        } catch {
            #expect(error.diagnostics.count == 4)
        }
    }
}

@Suite("Rejections and decisions")
struct RejectionTests {
    @Test func codesAreStableAndDescribed() {
        let all: [CORSRejection] = [
            .multipleOrigins, .malformedOrigin, .originNotAllowed, .invalidRequestMethod, .methodNotAllowed("PUT"),
            .invalidRequestHeaders(.tooLong), .headerNotAllowed("x-a"),
        ]
        #expect(
            all.map(\.code) == [
                "multiple-origins", "malformed-origin", "origin-not-allowed", "invalid-request-method",
                "method-not-allowed", "invalid-request-headers", "header-not-allowed",
            ])
        #expect(Set(all.map(\.description)).count == all.count)
        #expect(CORSRejection.headerNotAllowed("x-a").description.contains("x-a"))
    }

    @Test func noCORSSafelistAndOtherNameLists() {
        #expect(Fetch.isNoCORSSafelistedRequestHeader(name: .contentType, value: "text/plain"))
        #expect(!Fetch.isNoCORSSafelistedRequestHeader(name: .range, value: "bytes=0-"))
        #expect(Fetch.isPrivilegedNoCORSRequestHeaderName(.range))
        #expect(Fetch.isCORSNonWildcardRequestHeaderName(.authorization))
        #expect(Fetch.isRequestBodyHeaderName(.contentEncoding) && !Fetch.isRequestBodyHeaderName(.accept))
        #expect(Fetch.sortedLowercaseSet(["B", "a", "b", "A-"]) == ["a", "a-", "b"])
    }
}
