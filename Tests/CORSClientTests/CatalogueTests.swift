import CORSClient
import CORSCore
import CORSTestSupport
import HTTPTypes
import Testing

/// One way to make a browser refuse, over real loopback HTTP.
struct Scenario: Sendable, CustomStringConvertible {
    var path: String
    var method: String = "GET"
    var headers: [(String, String)] = []
    var credentials: CredentialsMode = .omit
    var expected: CORSFailure?
    /// Chromium lets `*` cover Authorization; the spec and Firefox do not.
    var profile: BrowserProfile = .chromium
    var description: String { "\(method) \(path) → \(expected?.code ?? "allowed")" }

    static let all: [Scenario] = [
        Scenario(path: "/ok", credentials: .include),
        Scenario(path: "/ok-preflight", method: "PUT", headers: [("X-A", "1")], credentials: .include),
        Scenario(path: "/missing", expected: .missingAllowOrigin),
        Scenario(path: "/multiple", expected: .multipleAllowOrigin),
        Scenario(path: "/invalid", expected: .invalidAllowOrigin),
        Scenario(path: "/mismatch", expected: .allowOriginMismatch),
        Scenario(path: "/wildcard", credentials: .include, expected: .wildcardOriginWithCredentials),
        Scenario(path: "/no-credentials", credentials: .include, expected: .allowCredentialsNotTrue),
        Scenario(path: "/pf-missing", method: "PUT", expected: .preflightMissingAllowOrigin),
        Scenario(path: "/pf-multiple", method: "PUT", expected: .preflightMultipleAllowOrigin),
        Scenario(path: "/pf-invalid", method: "PUT", expected: .preflightInvalidAllowOrigin),
        Scenario(path: "/pf-mismatch", method: "PUT", expected: .preflightAllowOriginMismatch),
        Scenario(
            path: "/pf-wildcard", method: "PUT", credentials: .include,
            expected: .preflightWildcardOriginWithCredentials),
        Scenario(
            path: "/pf-credentials", method: "PUT", credentials: .include, expected: .preflightAllowCredentialsNotTrue),
        Scenario(path: "/pf-status", method: "PUT", expected: .preflightInvalidStatus),
        Scenario(path: "/pf-redirect", method: "PUT", expected: .preflightRedirect),
        Scenario(path: "/pf-bad-methods", method: "PUT", expected: .invalidAllowMethods),
        Scenario(path: "/pf-bad-headers", headers: [("X-A", "1")], expected: .invalidAllowHeaders),
        Scenario(path: "/pf-method", method: "PUT", expected: .methodNotAllowed),
        Scenario(path: "/pf-header", headers: [("X-A", "1")], expected: .headerNotAllowed),
        Scenario(
            path: "/pf-authorization", headers: [("Authorization", "Bearer x")],
            expected: .authorizationNotCoveredByWildcard, profile: .spec),
        Scenario(path: "/pf-authorization", headers: [("Authorization", "Bearer x")]),
        Scenario(path: "/redirect-ftp", expected: .redirectToNonHTTPScheme),
        Scenario(path: "/redirect-userinfo", expected: .redirectContainsCredentials),
        Scenario(path: "/loop", expected: .tooManyRedirects),
        Scenario(path: "/bad-location", expected: .invalidRedirectLocation),
        Scenario(path: "/ok", method: "TRACE", expected: .forbiddenMethod),
    ]
}

@Suite("CORSClient over loopback: every failure a server can cause")
struct CatalogueTests {
    @Test(arguments: Scenario.all)
    func scenario(_ scenario: Scenario) async throws {
        let server = try await CatalogueServer.start()
        let client = CORSClient(profile: scenario.profile)
        var fields = HTTPFields()
        for (name, value) in scenario.headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let request = CrossOriginRequest(
            origin: Origin(headerValue: CatalogueServer.pageOrigin)!, url: server.origin + scenario.path,
            method: HTTPRequest.Method(scenario.method)!, headerFields: fields, credentials: scenario.credentials)
        let outcome = await client.fetch(request)
        try await client.shutdown()
        try await server.shutdown()
        #expect(outcome.result.failure == scenario.expected)
        #expect(outcome.result.isReadable == (scenario.expected == nil))
        if scenario.expected == nil {
            #expect(outcome.body != nil)
        } else {
            #expect(outcome.body == nil, "a blocked response's body never reaches the page")
        }
    }

    @Test func readableResponse() async throws {
        let server = try await CatalogueServer.start()
        let client = CORSClient()
        let request = CrossOriginRequest(
            origin: Origin(headerValue: CatalogueServer.pageOrigin)!, url: server.origin + "/ok", credentials: .include)
        let outcome = await client.fetch(request)
        try await client.shutdown()
        try await server.shutdown()
        #expect(outcome.result.readableHeaderNames == ["content-length", "content-type", "x-total-count"])
        #expect(outcome.body.map { String(decoding: $0, as: UTF8.self) } == "{\"ok\":true}")
        #expect(server.requests.first?.headerFields[.origin] == CatalogueServer.pageOrigin)
    }

    @Test func networkErrors() async throws {
        let server = try await ScriptedServer.start { _ in ScriptedResponse() }
        let closed = server.origin
        try await server.shutdown()
        let client = CORSClient(timeoutSeconds: 1)
        let page = Origin(headerValue: CatalogueServer.pageOrigin)!
        #expect(await client.fetch(CrossOriginRequest(origin: page, url: closed + "/")).result.failure == .networkError)
        #expect(
            await client.fetch(CrossOriginRequest(origin: page, url: closed + "/", method: .put)).result.failure
                == .preflightNetworkError)
        #expect(await client.fetch(CrossOriginRequest(origin: page, url: "not a url")).result.failure == .invalidURL)
        #expect(
            await client.fetch(CrossOriginRequest(origin: page, url: "http://u:p@127.0.0.1:1/")).result.failure
                == .urlHasCredentials)
        #expect(
            await client.fetch(CrossOriginRequest(origin: page, url: "ftp://127.0.0.1/")).result.failure
                == .corsDisabledScheme)
        #expect(
            await client.fetch(CrossOriginRequest(origin: page, url: closed + "/", mode: .sameOrigin)).result.failure
                == .disallowedByMode)
        #expect(
            await client.fetch(CrossOriginRequest(origin: page, url: closed + "/", method: .put, mode: .noCORS)).result
                .failure == .noCORSMethodNotSafelisted)
        try await client.shutdown()
    }

    @Test func preflightIsCachedAcrossFetches() async throws {
        let server = try await CatalogueServer.start()
        let client = CORSClient()
        let request = CrossOriginRequest(
            origin: Origin(headerValue: CatalogueServer.pageOrigin)!, url: server.origin + "/ok-preflight", method: .put
        )
        #expect(await client.fetch(request).result.isReadable)
        #expect(await client.fetch(request).result.isReadable)
        try await client.shutdown()
        try await server.shutdown()
        #expect(server.requests.map(\.method) == ["OPTIONS", "PUT", "PUT"])
    }

    @Test func cookiesGoOnlyWithCredentials() async throws {
        let server = try await ScriptedServer.start { request in
            ScriptedResponse(
                200,
                [
                    ("Access-Control-Allow-Origin", request.headerFields[.origin] ?? ""),
                    ("Access-Control-Allow-Credentials", "true"),
                    ("Set-Cookie", "session=abc; HttpOnly"),
                ])
        }
        let client = CORSClient()
        let page = Origin(headerValue: CatalogueServer.pageOrigin)!
        _ = await client.fetch(CrossOriginRequest(origin: page, url: server.origin + "/login", credentials: .include))
        _ = await client.fetch(CrossOriginRequest(origin: page, url: server.origin + "/a", credentials: .include))
        _ = await client.fetch(CrossOriginRequest(origin: page, url: server.origin + "/b", credentials: .omit))
        try await client.shutdown()
        try await server.shutdown()
        #expect(server.requests.map { $0.headerFields[.cookie] } == [nil, "session=abc", nil])
    }
}
