import CORSCore
import HTTPTypes
import Testing

@Suite("Browser: redirects (WPT cors/redirect-origin.htm, fetch/api/cors/cors-redirect*.any.js)")
struct RedirectVectorTests {
    enum Hop: String, CustomStringConvertible {
        case local, remote, remote2
        var base: String {
            switch self {
            case .local: return WPT.P
            case .remote: return WPT.R
            case .remote2: return WPT.R2
            }
        }
        var description: String { rawValue }
    }

    /// Runs a GET from P to `first`, which redirects (302) to `second`; each hop answers with `allow` as
    /// Access-Control-Allow-Origin (`nil` = none; "R" = the remote's own origin). Returns the final Origin seen, or
    /// nil when the page could not read the response.
    static func chain(_ first: Hop, _ firstAllow: String?, _ second: Hop, _ secondAllow: String?) -> String? {
        var finalOrigin: String?
        func value(_ allow: String?) -> [(String, String)] {
            guard let allow else { return [] }
            let text = allow == "P" ? WPT.P : allow == "R" ? WPT.R : allow
            return [("Access-Control-Allow-Origin", text)]
        }
        let result = runFetch(WPT.request(first.base + "/first")) { request in
            if request.url.hasSuffix("/first") {
                return response(302, [("Location", second.base + "/second")] + value(firstAllow))
            }
            finalOrigin = request.headerFields[.origin]
            return response(200, value(secondAllow))
        }
        return result.isReadable ? (finalOrigin ?? "(none)") : nil
    }

    /// The table of `cors/redirect-origin.htm`: expected Origin at the final hop, or nil for "disallow".
    @Test(
        arguments: [
            (Hop.local, "*", Hop.remote, "*", WPT.P), (.local, "*", .remote, "P", WPT.P),
            (.local, "*", .remote, "null", nil),
            (.local, "*", .remote, nil, nil), (.local, "P", .remote, "*", WPT.P), (.local, "P", .remote, "P", WPT.P),
            (.local, "P", .remote, "null", nil), (.local, "P", .remote, nil, nil),
            (.local, "null", .remote, "*", WPT.P),
            (.local, nil, .remote, "*", WPT.P),
            (.remote, "*", .local, "*", "null"), (.remote, "*", .local, "P", nil),
            (.remote, "*", .local, "null", "null"),
            (.remote, "*", .local, nil, nil), (.remote, "P", .local, "*", "null"), (.remote, "P", .local, "P", nil),
            (.remote, "P", .local, "null", "null"), (.remote, "P", .local, nil, nil),
            (.remote, "null", .local, "*", nil),
            (.remote, nil, .local, "*", nil),
            (.remote, "*", .remote, "*", WPT.P), (.remote, "*", .remote, "P", WPT.P),
            (.remote, "*", .remote, "null", nil),
            (.remote, "*", .remote, nil, nil), (.remote, "P", .remote, "*", WPT.P), (.remote, "P", .remote, "P", WPT.P),
            (.remote, "P", .remote, "null", nil), (.remote, "P", .remote, nil, nil),
            (.remote, "null", .remote, "*", nil),
            (.remote, nil, .remote, "*", nil),
            (.remote, "*", .remote2, "*", "null"), (.remote, "*", .remote2, "P", nil),
            (.remote, "*", .remote2, "null", "null"),
            (.remote, "*", .remote2, nil, nil), (.remote, "P", .remote2, "*", "null"),
            (.remote, "P", .remote2, "P", nil),
            (.remote, "P", .remote2, "null", "null"), (.remote, "P", .remote2, nil, nil),
            (.remote, "null", .remote2, "*", nil),
            (.remote, nil, .remote2, "*", nil),
            (.remote, "*", .remote, "R", nil), (.remote, "*", .remote2, "R", nil), (.remote, "R", .remote, "*", nil),
        ] as [(Hop, String?, Hop, String?, String?)])
    func redirectOrigin(first: Hop, firstAllow: String?, second: Hop, secondAllow: String?, expected: String?) {
        #expect(Self.chain(first, firstAllow, second, secondAllow) == expected)
    }

    /// `cors-redirect.any.js`: the Origin after one redirect, for every redirect status; no preflight.
    @Test(arguments: [301, 302, 303, 307, 308])
    func originAfterRedirect(status: Int) {
        let cases: [(String, String, String)] = [
            (WPT.R, WPT.R, WPT.P), (WPT.R, "http://web-platform.test:8001", "null"), (WPT.P, WPT.R, WPT.P),
            (WPT.R, WPT.P, "null"),
        ]
        for (from, to, expected) in cases {
            var seen: String?
            var preflights = 0
            let result = runFetch(WPT.request(from + "/redirect")) { request in
                if request.isPreflight { preflights += 1 }
                if request.url.hasSuffix("/redirect") {
                    let allow = request.headerFields[.origin] ?? "*"
                    return response(status, [("Location", to + "/final"), ("Access-Control-Allow-Origin", allow)])
                }
                seen = request.headerFields[.origin]
                return response(200, [("Access-Control-Allow-Origin", "*")])
            }
            #expect(result.isReadable && seen == expected && preflights == 0, "\(from) → \(to) via \(status)")
        }
    }

    /// `cors-redirect-credentials.any.js`: userinfo in a redirect target.
    @Test(arguments: [
        (WPT.P, "http://web-platform.test:8001", "", true),
        (WPT.P, "http://web-platform.test:8001", "user:password@", false),
        (WPT.P, "http://web-platform.test:8001", "user:@", false),
        (WPT.P, "http://web-platform.test:8001", ":password@", false),
        ("http://web-platform.test:8001", WPT.P, "user:password@", false),
        ("http://web-platform.test:8001", "http://web-platform.test:8001", "user:@", false),
        ("http://web-platform.test:8001", WPT.R, ":password@", false),
        (WPT.P, WPT.P, "user:pass@", true),
        (WPT.P, "http://web-platform.test:8001", "@", true),
    ])
    func userinfoInLocation(from: String, to: String, userinfo: String, allowed: Bool) {
        let target = to.replacing("http://", with: "http://" + userinfo)
        let result = runFetch(WPT.request(from + "/redirect")) { request in
            request.url.hasSuffix("/redirect")
                ? response(301, [("Location", target + "/final"), ("Access-Control-Allow-Origin", WPT.P)])
                : response(200, [("Access-Control-Allow-Origin", "*")])
        }
        #expect(result.isReadable == allowed, "\(result.failure.map(\.code) ?? "allowed")")
        if !allowed { #expect(result.failure == .redirectContainsCredentials) }
    }

    /// `cors-redirect-preflight.any.js`: a redirect needs a new preflight at the new URL, and the redirecting
    /// response must allow the header too.
    @Test func preflightAfterRedirect() {
        var preflightURLs: [String] = []
        let request = WPT.request(WPT.R + "/redirect", headers: [("x-w3c", "1")])
        let allowedEverywhere = runFetch(request) { request in
            if request.isPreflight {
                preflightURLs.append(request.url)
                return response(
                    200, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "x-w3c")])
            }
            if request.url.hasSuffix("/redirect") {
                return response(302, [("Location", WPT.R2 + "/final"), ("Access-Control-Allow-Origin", "*")])
            }
            return response(200, [("Access-Control-Allow-Origin", "*")])
        }
        #expect(allowedEverywhere.isReadable)
        #expect(preflightURLs == [WPT.R + "/redirect", WPT.R2 + "/final"])
        let refused = runFetch(request) { request in
            if request.isPreflight {
                return response(200, [("Access-Control-Allow-Origin", "*")])
            }
            return response(302, [("Location", WPT.R2 + "/final"), ("Access-Control-Allow-Origin", "*")])
        }
        #expect(refused.failure == .headerNotAllowed)
    }

    /// `redirect-count.any.js`: 20 redirects succeed, the 21st fails.
    @Test(arguments: [(20, true), (21, false)])
    func redirectCount(redirects: Int, allowed: Bool) {
        let result = runFetch(WPT.request(WPT.R + "/0")) { request in
            let step = Int(request.url.split(separator: "/").last!)!
            guard step < redirects else { return response(200, [("Access-Control-Allow-Origin", "*")]) }
            return response(302, [("Location", "/\(step + 1)"), ("Access-Control-Allow-Origin", "*")])
        }
        #expect(result.isReadable == allowed)
        if !allowed { #expect(result.failure == .tooManyRedirects) }
    }

    @Test func redirectModesMethodRewriteAndAuthorization() {
        func run(_ mode: RedirectMode, status: Int = 302, method: String = "GET", to: String = WPT.R2)
            -> (FetchResult, [OutgoingRequest])
        {
            var sent: [OutgoingRequest] = []
            var request = WPT.request(
                WPT.R + "/r", method: method, headers: [("Authorization", "secret"), ("Content-Type", "text/plain")])
            request.redirect = mode
            let result = runFetch(request) { request in
                sent.append(request)
                if request.isPreflight {
                    return response(
                        200,
                        [
                            ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "authorization"),
                            ("Access-Control-Allow-Methods", "PUT"),
                        ])
                }
                return request.url.hasSuffix("/r")
                    ? response(status, [("Location", to + "/f"), ("Access-Control-Allow-Origin", "*")])
                    : response(200, [("Access-Control-Allow-Origin", "*")])
            }
            return (result, sent)
        }
        #expect(run(.error).0.failure == .redirectModeError)
        #expect(run(.manual).0.type == .opaqueRedirect)
        let (followed, sent) = run(.follow, status: 303, method: "POST")
        #expect(followed.isReadable)
        let last = sent.last!
        #expect(last.method == .get)
        #expect(last.headerFields[.authorization] == nil, "dropped on a cross-origin hop")
        #expect(last.headerFields[.contentType] == nil, "request-body headers go with the body")
        #expect(run(.follow, to: "ftp://files.test").0.failure == .redirectToNonHTTPScheme)
    }
}
