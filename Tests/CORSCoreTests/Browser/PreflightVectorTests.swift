import CORSCore
import HTTPTypes
import Testing

/// A server like WPT's `preflight.py`: ACAO `*` (or the origin plus credentials), the preflight's ACAM, ACAH and
/// max-age as configured, and it counts the preflights it saw.
final class PreflightServer: @unchecked Sendable {
    var allowMethods: String?
    var allowHeaders: String?
    var maxAge: String?
    var preflightStatus = 200
    var credentials = false
    var preflights: [OutgoingRequest] = []
    var actuals: [OutgoingRequest] = []

    init(allowMethods: String? = nil, allowHeaders: String? = nil, maxAge: String? = nil, credentials: Bool = false) {
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
        self.maxAge = maxAge
        self.credentials = credentials
    }

    func respond(_ request: OutgoingRequest) -> HTTPResponse {
        var fields: [(String, String)] =
            credentials
            ? [("Access-Control-Allow-Origin", WPT.P), ("Access-Control-Allow-Credentials", "true")]
            : [("Access-Control-Allow-Origin", "*")]
        if request.isPreflight {
            preflights.append(request)
            if let allowMethods { fields.append(("Access-Control-Allow-Methods", allowMethods)) }
            if let allowHeaders { fields.append(("Access-Control-Allow-Headers", allowHeaders)) }
            if let maxAge { fields.append(("Access-Control-Max-Age", maxAge)) }
            return response(preflightStatus, fields)
        }
        actuals.append(request)
        return response(200, fields)
    }
}

@Suite("Browser: preflights (WPT fetch/api/cors)")
struct PreflightVectorTests {
    /// `cors-preflight-star.any.js`: `*` in Allow-Methods/-Headers, credentials and method case. Rows 1–34.
    @Test(
        arguments: [
            (false, "get", "x-test", "GET", "X-Test", true),
            (false, "*", "x-test", "SUPER", "X-Test", true),
            (false, "*", "*", "OK", "X-Test", true),
            (true, "*", "*", "OK", "X-Test", false),
            (true, "*", "", "PUT", nil, false),
            (true, "PUT", "*", "PUT", nil, true),
            (true, "get", "*", "GET", "X-Test", false),
            (true, "*", "*", "GET", "X-Test", false),
            (true, "*", "*", "*", "*", true),
            (true, "put", "*", "PUT", nil, false),
            (true, "GET", "*", "GET", nil, true), (true, "GET", "*", "get", nil, true),
            (true, "get", "*", "GET", nil, true), (true, "get", "*", "get", nil, true),
            (true, "HEAD", "*", "HEAD", nil, true), (true, "HEAD", "*", "head", nil, true),
            (true, "head", "*", "HEAD", nil, true), (true, "head", "*", "head", nil, true),
            (true, "POST", "*", "POST", nil, true), (true, "POST", "*", "post", nil, true),
            (true, "post", "*", "POST", nil, true), (true, "post", "*", "post", nil, true),
            (true, "DELETE", "*", "DELETE", nil, true), (true, "DELETE", "*", "delete", nil, true),
            (true, "delete", "*", "DELETE", nil, false), (true, "delete", "*", "delete", nil, false),
            (true, "PUT", "*", "PUT", nil, true), (true, "put", "*", "PUT", nil, false),
            (true, "PUT", "*", "put", nil, true), (true, "put", "*", "put", nil, false),
            (true, "PATCH", "*", "PATCH", nil, true), (true, "PATCH", "*", "patch", nil, false),
            (true, "patch", "*", "PATCH", nil, false), (true, "patch", "*", "patch", nil, true),
        ] as [(Bool, String, String, String, String?, Bool)])
    func star(
        credentials: Bool, allowMethods: String, allowHeaders: String, method: String, header: String?, allowed: Bool
    ) {
        let server = PreflightServer(allowMethods: allowMethods, allowHeaders: allowHeaders, credentials: credentials)
        let request = WPT.request(
            WPT.R + "/preflight", method: method, headers: header.map { [($0, "1")] } ?? [],
            credentials: credentials ? .include : .omit)
        let result = runFetch(request, respond: server.respond)
        #expect(result.isReadable == allowed, "\(result.failure.map(\.code) ?? "allowed")")
    }

    /// `cors-preflight.any.js`: the exact preflight a browser sends.
    @Test func preflightShape() throws {
        let server = PreflightServer(
            allowMethods: "GET",
            allowHeaders: "x-test-header1 ,x-test-header2 ,x-test-header3 ,x-test-header-b ,"
                + "x-test-header-D ,x-test-header-C ,x-test-header-a ,content-type")
        let headers = [
            ("x-test-header1", "v"), ("x-test-header2", "v"), ("X-test-header3", "v"), ("x-test-header-b", "v"),
            ("x-test-header-D", "v"), ("x-test-header-C", "v"), ("x-test-header-a", "v"),
            ("Content-Type", "allowedOrRefused"), ("Accept", "*"), ("Accept-Language", "bzh"),
            ("Content-Language", "eu"),
        ]
        let result = runFetch(WPT.request(WPT.R + "/p?x=1#frag", headers: headers), respond: server.respond)
        #expect(result.isReadable)
        let preflight = try #require(server.preflights.first)
        #expect(preflight.method == .options)
        #expect(preflight.url == WPT.R + "/p?x=1")
        #expect(preflight.headerFields[.accept] == "*/*")
        #expect(preflight.headerFields[.accessControlRequestMethod] == "GET")
        #expect(
            preflight.headerFields[.accessControlRequestHeaders]
                == "content-type,x-test-header-a,x-test-header-b,x-test-header-c,x-test-header-d,x-test-header1,"
                + "x-test-header2,x-test-header3")
        #expect(preflight.headerFields[.origin] == WPT.P)
        #expect(!preflight.includesCredentials)
        #expect(preflight.headerFields[.cookie] == nil && preflight.headerFields[.authorization] == nil)
        let actual = try #require(server.actuals.first)
        #expect(actual.headerFields[.origin] == WPT.P)
        #expect(actual.headerFields[values: HTTPField.Name("x-test-header-a")!] == ["v"])
    }

    @Test func onlySafelistedHeadersSendNoRequestHeaders() throws {
        let server = PreflightServer(allowMethods: "PUT")
        _ = runFetch(
            WPT.request(WPT.R + "/p", method: "PUT", headers: [("Accept", "*"), ("Content-Language", "eu")]),
            respond: server.respond)
        let preflight = try #require(server.preflights.first)
        #expect(preflight.headerFields[.accessControlRequestMethod] == "PUT")
        #expect(preflight.headerFields[.accessControlRequestHeaders] == nil)
    }

    /// Simple requests never preflight (`cors-no-preflight.any.js`, `cors/simple-requests.htm`).
    @Test(
        arguments: [
            ("GET", nil), ("HEAD", nil), ("POST", nil), ("Get", nil), ("post", nil), ("GET", ("Accept", "*/*")),
            ("GET", ("Accept-Language", "fr")), ("GET", ("Content-Language", "fr")),
            ("POST", ("Content-Type", "application/x-www-form-urlencoded")),
            ("POST", ("Content-Type", "multipart/form-data")), ("POST", ("Content-Type", "text/plain")),
            ("POST", ("Content-Type", "Text/Plain;charset=utf-8")),
        ] as [(String, (String, String)?)])
    func noPreflight(method: String, header: (String, String)?) {
        let server = PreflightServer()
        let result = runFetch(
            WPT.request(WPT.R + "/p", method: method, headers: header.map { [$0] } ?? []), respond: server.respond)
        #expect(result.isReadable)
        #expect(server.preflights.isEmpty)
    }

    /// `cors-preflight.any.js`: `authorization` is never covered by `*`, only by its name.
    @Test func authorization() {
        let star = PreflightServer(allowHeaders: "*")
        let refused = runFetch(WPT.request(WPT.R + "/p", headers: [("Authorization", "x")]), respond: star.respond)
        #expect(refused.failure == .authorizationNotCoveredByWildcard)
        let listed = PreflightServer(allowHeaders: "authorization")
        #expect(
            runFetch(WPT.request(WPT.R + "/p", headers: [("Authorization", "x")]), respond: listed.respond).isReadable)
    }

    /// `cors-preflight-status.any.js`, `cors/preflight-failure.htm`: only 2xx preflights succeed.
    @Test(arguments: [200, 201, 202, 203, 204, 205, 206, 299])
    func okStatuses(status: Int) {
        let server = PreflightServer(allowMethods: "PUT")
        server.preflightStatus = status
        #expect(runFetch(WPT.request(WPT.R + "/p", method: "PUT"), respond: server.respond).isReadable)
    }

    @Test(arguments: Array(300...308) + Array(400...405) + Array(501...505) + [680, 790])
    func failingStatuses(status: Int) {
        let server = PreflightServer(allowMethods: "PUT")
        server.preflightStatus = status
        let result = runFetch(WPT.request(WPT.R + "/p", method: "PUT"), respond: server.respond)
        #expect(result.failure == .preflightInvalidStatus)
        #expect(server.actuals.isEmpty, "the actual request is never sent")
    }

    /// `cors-preflight-response-validation.any.js`: unparsable lists fail, after the preflight was sent.
    @Test func unparsableLists() {
        let headers = PreflightServer(allowHeaders: "x-force-preflight,Bad value")
        let methods = PreflightServer(allowMethods: "Bad value")
        #expect(
            runFetch(WPT.request(WPT.R + "/p", headers: [("x-force-preflight", "1")]), respond: headers.respond).failure
                == .invalidAllowHeaders)
        #expect(
            runFetch(WPT.request(WPT.R + "/p", method: "PUT"), respond: methods.respond).failure == .invalidAllowMethods
        )
        #expect(headers.preflights.count == 1 && methods.preflights.count == 1)
    }

    /// `cors-preflight-redirect.any.js`: a redirected preflight fails.
    @Test(arguments: [301, 302, 303, 307, 308])
    func redirectedPreflight(status: Int) {
        let result = runFetch(WPT.request(WPT.R + "/p", method: "PUT")) { request in
            request.isPreflight
                ? response(status, [("Location", WPT.R + "/q"), ("Access-Control-Allow-Origin", "*")])
                : response(200, [("Access-Control-Allow-Origin", "*")])
        }
        #expect(result.failure == .preflightRedirect)
    }

    /// `cors/status.htm`: after a good preflight any status is readable; a refused one gives status 0.
    @Test func statusesAfterPreflight() {
        for status in [200, 204, 400, 401, 404, 501, 699] {
            let result = runFetch(WPT.request(WPT.R + "/p", method: "PUT")) { request in
                request.isPreflight
                    ? response(200, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")])
                    : response(status, [("Access-Control-Allow-Origin", "*")])
            }
            #expect(result.isReadable && result.status == status)
        }
        let refused = runFetch(WPT.request(WPT.R + "/p")) { _ in response(400) }
        #expect(!refused.isReadable && refused.status == 0)
    }

    @Test func preflightNetworkError() {
        let result = runFetch(WPT.request(WPT.R + "/p", method: "PUT")) { _ in nil }
        #expect(result.failure == .preflightNetworkError)
        #expect(runFetch(WPT.request(WPT.R + "/p")) { _ in nil }.failure == .networkError)
    }
}
