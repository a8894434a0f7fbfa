import CORSCore
import HTTPTypes
import Testing

@Suite("Browser: the CORS check (WPT cors/origin.htm, credentials-flag.htm, fetch/api/cors)")
struct CORSCheckVectorTests {
    static func fetchWith(
        allowOrigin values: [String], credentials: CredentialsMode = .omit, allowCredentials: String? = nil
    )
        -> FetchResult
    {
        runFetch(WPT.request(WPT.R + "/resource", credentials: credentials)) { _ in
            var fields = values.map { ("Access-Control-Allow-Origin", $0) }
            if let allowCredentials { fields.append(("Access-Control-Allow-Credentials", allowCredentials)) }
            return response(200, fields)
        }
    }

    /// Values a wire parser trims to `*` or to the page's origin: the page may read.
    @Test(arguments: ["*", " *  ", "\t*", WPT.P, " " + WPT.P, " \(WPT.P)   \t ", "\t" + WPT.P])
    func passes(value: String) {
        #expect(Self.fetchWith(allowOrigin: [value]).isReadable)
    }

    static let host = "web-platform.test:8000"
    static let failing: [String] = [
        WPT.R, "//\(host)", "://\(host)", "ftp://\(host)", "http:://\(host)", "http:/\(host)", "http:\(host)", host,
        WPT.P + "?", WPT.P + "/", WPT.P + " /", WPT.P + "#", WPT.P + "%23", WPT.P + ":80", WPT.P + ", *",
        "HTTP://WEB-PLATFORM.TEST:8000", "HTTP://web-platform.test:8000", "-", "**", ",*", "*,",
        "\u{0B}*", "\u{0C}*", "*\u{0B}", "*\u{0C}", "'*'", "\"*\"", "* *", "* null", "*http://*",
        "*" + WPT.P, "* " + WPT.P, "*, " + WPT.P, "null " + WPT.P, "http://example.net", "null",
        "null *", "", WPT.P + "/cors/origin.htm", WPT.P + "/cors/", WPT.R + "/cors/", "test:8000", ".test:8000",
        "*.test:8000", "http://test:8000", "http://.test:8000", "http://*.test:8000",
    ]

    /// Every other value fails, byte for byte: the cases of `cors/origin.htm`, less the four with a NUL byte, which
    /// HTTPTypes (like NIO's parser) cannot carry in a field value.
    @Test(arguments: failing)
    func fails(value: String) {
        let result = Self.fetchWith(allowOrigin: [value])
        #expect(!result.isReadable)
        #expect(result.failure != nil)
    }

    /// Two `Access-Control-Allow-Origin` fields are never accepted (they combine into `a, b`).
    @Test(arguments: [("", "*"), ("*", ""), ("*", "*"), ("", WPT.P), ("*", WPT.P), (WPT.P, WPT.P)])
    func twoFieldsFail(first: String, second: String) {
        let result = Self.fetchWith(allowOrigin: [first, second])
        #expect(result.failure == .multipleAllowOrigin)
    }

    /// `Access-Control-Allow-Credentials` must be exactly `true` (cors/credentials-flag.htm).
    @Test(arguments: [
        "TRUE", "True", "\"true\"", "'true'", "false", "1", "0", ",true", "true,", "true\u{0B}", "true\u{0C}",
    ])
    func credentialsMustBeExactlyTrue(value: String) {
        let result = Self.fetchWith(allowOrigin: [WPT.P], credentials: .include, allowCredentials: value)
        #expect(result.failure == .allowCredentialsNotTrue)
    }

    @Test func credentialsTable() {
        // #cors-protocol-and-credentials, the Fetch Standard's own table.
        #expect(Self.fetchWith(allowOrigin: ["*"]).isReadable)
        #expect(Self.fetchWith(allowOrigin: ["*"], allowCredentials: "true").isReadable)
        #expect(Self.fetchWith(allowOrigin: [WPT.P + "/"]).failure == .allowOriginMismatch)
        #expect(
            Self.fetchWith(allowOrigin: ["*"], credentials: .include, allowCredentials: "true").failure
                == .wildcardOriginWithCredentials)
        #expect(Self.fetchWith(allowOrigin: [WPT.P], credentials: .include, allowCredentials: "true").isReadable)
        #expect(Self.fetchWith(allowOrigin: [WPT.P], credentials: .include, allowCredentials: " true ").isReadable)
        #expect(Self.fetchWith(allowOrigin: [WPT.P], credentials: .include).failure == .allowCredentialsNotTrue)
        #expect(Self.fetchWith(allowOrigin: []).failure == .missingAllowOrigin)
        #expect(Self.fetchWith(allowOrigin: [WPT.R]).failure == .allowOriginMismatch)
    }

    /// Chromium's classification, for the reason a developer sees (Chromium `services/network/public/mojom/cors.mojom`, `CorsError`).
    @Test(arguments: [
        ("null", CORSFailure.allowOriginMismatch), ("-", .invalidAllowOrigin), ("* *", .multipleAllowOrigin),
        ("http://a.test, http://b.test", .multipleAllowOrigin), ("http://example.net", .allowOriginMismatch),
    ])
    func classification(value: String, failure: CORSFailure) {
        #expect(Self.fetchWith(allowOrigin: [value]).failure == failure)
    }
}
