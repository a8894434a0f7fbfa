import CORSCore
import CORSGateway
import Testing

@testable import CORSCommandLine

/// `cors lint` reports every diagnostic code; each has a policy file that produces it.
@Suite("cors lint: every code")
struct LintCodeTests {
    static let examples: [PolicyDiagnostic.Code: String] = [
        .noOrigins: #"{"allowOrigins": []}"#,
        .nullOrigin: #"{"allowOrigins": ["null"]}"#,
        .fileOrigin: #"{"allowOrigins": ["file://"]}"#,
        .invalidOrigin: #"{"allowOrigins": ["https//example.com"]}"#,
        .missingScheme: #"{"allowOrigins": ["example.com"]}"#,
        .originTrailingSlash: #"{"allowOrigins": ["https://example.com/"]}"#,
        .originHasPath: #"{"allowOrigins": ["https://example.com/app"]}"#,
        .originHasUserinfo: #"{"allowOrigins": ["https://user@example.com"]}"#,
        .originDefaultPort: #"{"allowOrigins": ["https://example.com:443"]}"#,
        .invalidPort: #"{"allowOrigins": ["https://example.com:99999"]}"#,
        .originNotLowercase: #"{"allowOrigins": ["https://Example.com"]}"#,
        .originNotASCII: #"{"allowOrigins": ["https://bücher.example"]}"#,
        .ipNotCanonical: #"{"allowOrigins": ["http://0x7f.1"]}"#,
        .invalidWildcard: #"{"allowOrigins": ["https://*example.com"]}"#,
        .wildcardOriginWithCredentials: #"{"allowOrigins": ["*"], "allowCredentials": true}"#,
        .insecureOriginWithCredentials: #"{"allowOrigins": ["http://a.example"], "allowCredentials": true}"#,
        .publicSuffixWildcardWithCredentials: #"{"allowOrigins": ["https://*.github.io"], "allowCredentials": true}"#,
        .invalidMethod: #"{"allowOrigins": ["https://a.example"], "allowMethods": ["BAD METHOD"]}"#,
        .forbiddenMethod: #"{"allowOrigins": ["https://a.example"], "allowMethods": ["TRACE"]}"#,
        .invalidHeaderName: #"{"allowOrigins": ["https://a.example"], "allowHeaders": ["X-Bad: 1"]}"#,
        .forbiddenRequestHeader: #"{"allowOrigins": ["https://a.example"], "allowHeaders": ["cookie"]}"#,
        .prohibitedRequestHeader:
            #"{"allowOrigins": ["https://a.example"], "allowHeaders": ["access-control-allow-origin"]}"#,
        .forbiddenExposeHeader: #"{"allowOrigins": ["https://a.example"], "exposeHeaders": ["set-cookie"]}"#,
        .prohibitedExposeHeader:
            #"{"allowOrigins": ["https://a.example"], "exposeHeaders": ["access-control-max-age"]}"#,
        .exposeWildcardWithCredentials:
            #"{"allowOrigins": ["https://a.example"], "exposeHeaders": ["*"], "allowCredentials": true}"#,
        .maxAgeOutOfRange: #"{"allowOrigins": ["https://a.example"], "maxAge": 100000}"#,
        .invalidPreflightStatus: #"{"allowOrigins": ["https://a.example"], "preflightSuccessStatus": 302}"#,
        .invalidRoutePrefix: #"{"allowOrigins": ["https://a.example"], "routes": [{"pathPrefix": "api"}]}"#,
        .duplicateRoutePrefix:
            #"{"allowOrigins": ["https://a.example"], "routes": [{"pathPrefix": "/a"}, {"pathPrefix": "/a/"}]}"#,
        .corsOffWithRules:
            #"{"allowOrigins": ["https://a.example"], "routes": [{"pathPrefix": "/i/", "cors": false, "maxAge": 5}]}"#,
        .originTrailingDot: #"{"allowOrigins": ["https://example.com."]}"#,
        .invalidJSON: #"{"allowOrigins": [}"#,
        .wildcardTrustedOrigin:
            #"{"allowOrigins": ["https://a.example"], "crossOriginProtection": {"trustedOrigins": ["*"]}}"#,
        .invalidExemptPath: #"{"allowOrigins": ["https://a.example"], "crossOriginProtection": {"exempt": ["hooks"]}}"#,
        .invalidPublicOrigin:
            #"{"allowOrigins": ["https://a.example"], "crossOriginProtection": {"publicOrigin": "a.example"}}"#,
        .unknownKey: #"{"allowOrigins": ["https://a.example"], "alowHeaders": []}"#,
        .wrongType: #"{"allowOrigins": ["https://a.example"], "maxAge": "600"}"#,
        .missingKey: #"{"allowOrigins": ["https://a.example"], "routes": [{"maxAge": 5}]}"#,
        .duplicateKey: #"{"allowOrigins": ["https://a.example"], "maxAge": 5, "maxAge": 6}"#,
    ]

    @Test(arguments: PolicyDiagnostic.Code.allCases)
    func code(_ code: PolicyDiagnostic.Code) throws {
        let diagnostics: [PolicyDiagnostic]
        if code == .unreadableFile {
            diagnostics = PolicyFile.diagnostics(contentsOf: "/nonexistent/cors.json")
        } else {
            let json = try #require(Self.examples[code], "no example for \(code.code)")
            diagnostics = PolicyFile.diagnostics(json: json)
        }
        let report = Lint.report(file: "p.json", diagnostics: diagnostics, json: true)
        #expect(report.output.contains("\"code\":\"\(code.code)\""))
        #expect(report.exitCode == (code == .unreadableFile || code == .invalidJSON ? 2 : 1))
    }
}

@Suite("The example policies")
struct ExamplePolicyTests {
    static let examples = String(#filePath.split(separator: "/Tests/").first ?? "") + "/examples/"

    @Test(arguments: ["policy.json", "public-api.json", "spa-with-cookies.json"])
    func valid(file: String) {
        #expect(PolicyFile.diagnostics(contentsOf: Self.examples + file).isEmpty)
    }

    @Test func brokenExampleShowsNineProblems() {
        #expect(PolicyFile.diagnostics(contentsOf: Self.examples + "broken-policy.json").count == 9)
    }
}
