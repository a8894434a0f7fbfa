import CORSCore
import HTTPTypes
import Testing

@Suite("Fetch: methods (#methods)")
struct MethodTests {
    @Test(arguments: [
        ("get", "GET"), ("Get", "GET"), ("post", "POST"), ("delete", "DELETE"), ("options", "OPTIONS"),
        ("put", "PUT"), ("head", "HEAD"), ("patch", "patch"), ("patcH", "patcH"), ("PATCH", "PATCH"),
        ("chicken", "chicken"),
    ])
    func normalization(method: String, expected: String) throws {
        #expect(try #require(HTTPRequest.Method(method)).normalized.rawValue == expected)
    }

    @Test func safelistedAndForbidden() throws {
        for name in ["GET", "HEAD", "POST"] { #expect(HTTPRequest.Method(name)!.isCORSSafelisted) }
        for name in ["get", "PUT", "PATCH", "OPTIONS", "DELETE"] {
            #expect(!HTTPRequest.Method(name)!.isCORSSafelisted)
        }
        for name in ["CONNECT", "trace", "TrAcK"] { #expect(HTTPRequest.Method(name)!.isForbidden) }
        for name in ["GET", "TRACES", "CONNECTS", "PATCH"] { #expect(!HTTPRequest.Method(name)!.isForbidden) }
    }
}

@Suite("Fetch: CORS-safelisted request-header (#cors-safelisted-request-header)")
struct SafelistedRequestHeaderTests {
    static func isSafelisted(_ name: String, _ value: String) -> Bool {
        Fetch.isCORSSafelistedRequestHeader(name: HTTPField.Name(name)!, value: value)
    }

    /// WPT `cors/cors-safelisted-request-header.any.js`: `true` = a preflight is required.
    @Test(arguments: [
        ("text /plain", true), ("text\t/\tplain", true), ("text/plain;", false), ("text/plain;garbage", false),
        ("text/plain;garbage\u{01}\u{02}", true), ("text/plain,", true), (",text/plain", true),
        ("text/plain,text/plain", true), ("text/plain,x/x", true), ("text/plain\u{0B}", true),
        ("text/plain\u{0C}", true), ("application/www-form-urlencoded", true),
        ("application/x-www-form-urlencoded;\u{7F}", true), ("multipart/form-data", false),
        ("multipart/form-data;\"", true),
    ])
    func contentTypeVectors(value: String, needsPreflight: Bool) {
        #expect(Self.isSafelisted("content-type", value) == !needsPreflight)
    }

    /// WPT `fetch/api/cors/resources/not-cors-safelisted.json`: each forces a preflight.
    @Test(arguments: [
        ("accept", "\""),
        ("accept", String(repeating: "0123456789", count: 12) + "012345678"),
        ("accept-language", "\u{01}"), ("accept-language", "@"), ("content-language", "\u{01}"),
        ("content-language", "@"), ("content-type", "text/html"),
        ("content-type", "text/plain; long=" + String(repeating: "0123456789", count: 11) + "01"),
        ("test", "hi"),
        // The spec's byte set for languages has no `_`; older WPT copies listed these as safelisted.
        ("accept-language", "nn_NO,nn,en"), ("content-language", "nn_NO"),
    ])
    func notSafelisted(name: String, value: String) {
        #expect(!Self.isSafelisted(name, value))
    }

    /// WPT `cors-no-preflight.any.js` and `cors/simple-requests.htm`: no preflight.
    @Test(arguments: [
        ("accept", "*/*"), ("accept", "test"), ("accept-language", "fr"), ("accept-language", "nn-NO,nn;q=0.9,en"),
        ("content-language", "fr"), ("content-language", "nn-NO"),
        ("content-type", "application/x-www-form-urlencoded"), ("content-type", "multipart/form-data"),
        ("content-type", "text/plain"), ("content-type", "text/plain;charset=utf-8"),
        ("content-type", "Text/Plain;charset=utf-8"), ("content-type", "text/plain; parameter=whatever"),
    ])
    func safelisted(name: String, value: String) {
        #expect(Self.isSafelisted(name, value))
    }

    @Test func lengthLimitIs128Bytes() {
        #expect(Self.isSafelisted("accept", String(repeating: "a", count: 128)))
        #expect(!Self.isSafelisted("accept", String(repeating: "a", count: 129)))
    }

    /// `#simple-range-header-value`, derived from the spec: only `bytes=start-[end]`, no whitespace.
    @Test(arguments: [
        ("bytes=0-", true), ("bytes=0-499", true), ("Bytes=5-5", true), ("bytes=-500", false), ("bytes= 0-1", false),
        ("bytes=5-1", false), ("bytes=0-1,2-3", false), ("bytes=", false), ("bits=0-1", false),
        ("bytes=00000000000000000000000000000000000010-9", false),
        ("bytes=9-00000000000000000000000000000000010", true),
    ])
    func range(value: String, safelisted: Bool) {
        #expect(Self.isSafelisted("range", value) == safelisted)
    }
}

@Suite("Fetch: CORS-unsafe request-header names (#cors-unsafe-request-header-names)")
struct UnsafeNamesTests {
    /// WPT `cors-preflight.any.js`: lowercase, deduplicated, byte-sorted; `-` before `1`.
    @Test func preflightVector() {
        var fields = HTTPFields()
        for (name, value) in [
            ("x-test-header1", "v"), ("x-test-header2", "v"), ("X-test-header3", "v"), ("x-test-header-b", "v"),
            ("x-test-header-D", "v"), ("x-test-header-C", "v"), ("x-test-header-a", "v"),
            ("Content-Type", "allowedOrRefused"), ("Accept", "*"), ("Accept-Language", "bzh"),
            ("Content-Language", "eu"),
        ] {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        #expect(
            Fetch.corsUnsafeRequestHeaderNames(fields).joined(separator: ",")
                == "content-type,x-test-header-a,x-test-header-b,x-test-header-c,x-test-header-d,"
                + "x-test-header1,x-test-header2,x-test-header3")
    }

    /// Derived from the spec: more than 1,024 bytes of safelisted values make every safelisted name unsafe.
    @Test(arguments: [(8, [String]()), (9, ["accept-language"])])
    func totalSafelistedSize(count: Int, expected: [String]) {
        var fields = HTTPFields()
        for _ in 0..<count {
            fields.append(HTTPField(name: .acceptLanguage, value: String(repeating: "a", count: 120)))
        }
        #expect(Fetch.corsUnsafeRequestHeaderNames(fields) == expected)
    }

    @Test func onlySafelistedHeadersGiveNoNames() {
        let fields: HTTPFields = [.accept: "*/*", .contentType: "text/plain", .contentLanguage: "en"]
        #expect(Fetch.corsUnsafeRequestHeaderNames(fields).isEmpty)
    }
}

@Suite("Fetch: forbidden request-headers (#forbidden-request-header)")
struct ForbiddenHeaderTests {
    /// WPT `fetch/api/request/request-headers.any.js`.
    @Test(arguments: [
        "Accept-Charset", "accept-charset", "ACCEPT-ENCODING", "Access-Control-Request-Headers",
        "Access-Control-Request-Method", "Access-Control-Request-Private-Network", "Connection", "Content-Length",
        "Cookie", "Cookie2", "Date", "DNT", "Expect", "Host", "Keep-Alive", "Origin", "Referer", "Set-Cookie", "TE",
        "Trailer", "Transfer-Encoding", "Upgrade", "Via", "Proxy-", "proxy-a", "Sec-", "sec-b",
    ])
    func forbidden(name: String) {
        #expect(Fetch.isForbiddenRequestHeader(name: HTTPField.Name(name)!, value: "x"))
    }

    @Test(arguments: ["Content-Type", "Potato", "proxy", "proxya", "sec", "secb", "Set-Cookie2", "User-Agent"])
    func allowed(name: String) {
        #expect(!Fetch.isForbiddenRequestHeader(name: HTTPField.Name(name)!, value: "x"))
    }

    /// The method-override rule, with the spec's own examples.
    @Test(arguments: [
        ("GETTRACE", false), ("GET", false), ("\",TRACE\",", false), ("trace,", true), ("GET,track ", true),
        (" connect", true),
    ])
    func methodOverride(value: String, forbidden: Bool) {
        for name in ["X-HTTP-Method", "X-HTTP-Method-Override", "X-Method-Override"] {
            #expect(Fetch.isForbiddenRequestHeader(name: HTTPField.Name(name)!, value: value) == forbidden)
        }
    }
}

@Suite("Fetch: response header names (#cors-safelisted-response-header-name)")
struct ResponseHeaderNameTests {
    /// WPT `cors-filtering.sub.any.js`.
    @Test func filtering() {
        for name in [
            "Cache-Control", "Content-Language", "Content-Type", "Expires", "Last-Modified", "Pragma",
            "Content-Length",
        ] {
            #expect(Fetch.isCORSSafelistedResponseHeaderName(HTTPField.Name(name)!, exposed: []))
        }
        for name in ["Age", "Server", "Warning"] {
            let field = HTTPField.Name(name)!
            #expect(!Fetch.isCORSSafelistedResponseHeaderName(field, exposed: []))
            #expect(Fetch.isCORSSafelistedResponseHeaderName(field, exposed: [field]))
        }
        for name in ["Set-Cookie", "Set-Cookie2"] {
            let field = HTTPField.Name(name)!
            #expect(!Fetch.isCORSSafelistedResponseHeaderName(field, exposed: [field]), "never exposed")
        }
    }
}

@Suite("Fetch: header list values (#extract-header-list-values)")
struct HeaderListTests {
    static func fields(_ lines: [String], name: HTTPField.Name = .accessControlExposeHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for line in lines { fields.append(HTTPField(name: name, lenientValue: Array(line.utf8))) }
        return fields
    }

    /// WPT `cors/resources/access-control-expose-headers.json`: is `bb-8` exposed?
    @Test(arguments: [
        (["BB-8"], true), (["bb-8,,@#$#%%&^&^*()()11!"], false), (["bb-8, no no"], false),
        (["@#$#%%&^&^*()()11!,bb-8"], false), (["bb-8", "no"], true), (["bb-8", "no no"], false),
        (["no", "bb-8"], true), (["", "bb-8"], true), ([",bb-8"], true), (["bb-8\u{0C}"], false),
        (["bb-8\u{0B}"], false), (["bb-8\u{0B},bb-8"], false), (["'bb-8'"], false), (["'bb-8',bb-8"], true),
        (["\"bb-8\",bb-8"], false),
    ])
    func exposeHeadersVectors(lines: [String], exposed: Bool) {
        let names: [String]
        switch HeaderList.values(.accessControlExposeHeaders, in: Self.fields(lines)) {
        case .success(let values): names = values
        default: names = []
        }
        #expect(names.contains { HTTPField.Name($0) == HTTPField.Name("bb-8") } == exposed)
    }

    /// WPT `cors/request-headers.htm`: empty elements, OWS and case are accepted.
    @Test func allowHeadersWithEmptiesAndCase() throws {
        let result = HeaderList.values(
            .accessControlAllowHeaders,
            in: Self.fields(
                [",y-lol,x-PriNT, ,,,Y-PRINT"],
                name: .accessControlAllowHeaders))
        #expect(try #require(result).get() == ["y-lol", "x-PriNT", "Y-PRINT"])
    }

    @Test func absentIsNil() {
        #expect(HeaderList.values(.accessControlAllowMethods, in: [:]) == nil)
    }

    /// Hostile input: 1 MiB of commas is refused before a single element is read.
    @Test func megabyteOfCommasIsRefusedWithoutScanning() {
        let fields = Self.fields([String(repeating: ",", count: 1 << 20)], name: .accessControlRequestHeaders)
        var visited = 0
        let outcome = HeaderList.scan(.accessControlRequestHeaders, in: fields) { _ in
            visited += 1
            return true
        }
        #expect(outcome == .failure(.tooLong))
        #expect(visited == 0)
    }

    @Test func tooManyElementsAndLines() {
        let commas = Self.fields([String(repeating: ",", count: 1024)], name: .accessControlRequestHeaders)
        #expect(HeaderList.scan(.accessControlRequestHeaders, in: commas) { _ in true } == .failure(.tooManyElements))
        let lines = Self.fields(Array(repeating: "", count: 1024), name: .accessControlRequestHeaders)
        #expect(HeaderList.scan(.accessControlRequestHeaders, in: lines) { _ in true } == .failure(.tooManyElements))
    }
}
