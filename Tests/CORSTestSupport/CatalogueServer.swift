import HTTPTypes

/// A scripted server with one path per way a browser can refuse a response, for the failure catalogue's tests.
///
/// Each path answers as its name says; `/ok` and `/ok-preflight` are correct. The page origin the paths echo is
/// whatever the request's `Origin` says.
public enum CatalogueServer {
    /// The page's origin in these tests (cross-origin to the server).
    public static let pageOrigin = "http://localhost:3000"

    public static func start() async throws -> ScriptedServer {
        try await ScriptedServer.start { request in
            let origin = request.headerFields[.origin] ?? ""
            let echo = [("Access-Control-Allow-Origin", origin)]
            let path = String(request.target.prefix { $0 != "?" })
            if request.method == "OPTIONS" {
                switch path {
                case "/pf-missing": return ScriptedResponse(204, [("Access-Control-Allow-Methods", "PUT")])
                case "/pf-multiple":
                    return ScriptedResponse(204, echo + echo + [("Access-Control-Allow-Methods", "PUT")])
                case "/pf-invalid":
                    return ScriptedResponse(
                        204, [("Access-Control-Allow-Origin", "-"), ("Access-Control-Allow-Methods", "PUT")])
                case "/pf-mismatch":
                    return ScriptedResponse(
                        204, [("Access-Control-Allow-Origin", origin + "/"), ("Access-Control-Allow-Methods", "PUT")])
                case "/pf-wildcard":
                    return ScriptedResponse(
                        204,
                        [
                            ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true"),
                            ("Access-Control-Allow-Methods", "PUT"),
                        ])
                case "/pf-credentials": return ScriptedResponse(204, echo + [("Access-Control-Allow-Methods", "PUT")])
                case "/pf-status": return ScriptedResponse(405, echo)
                case "/pf-redirect": return ScriptedResponse(307, echo + [("Location", "/ok-preflight")])
                case "/pf-bad-methods":
                    return ScriptedResponse(204, echo + [("Access-Control-Allow-Methods", "Bad value")])
                case "/pf-bad-headers":
                    return ScriptedResponse(204, echo + [("Access-Control-Allow-Headers", "x-a,bad value")])
                case "/pf-method": return ScriptedResponse(204, echo + [("Access-Control-Allow-Methods", "DELETE")])
                case "/pf-header": return ScriptedResponse(204, echo + [("Access-Control-Allow-Headers", "x-b")])
                case "/pf-authorization":
                    return ScriptedResponse(
                        204, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*")])
                default:
                    return ScriptedResponse(
                        204,
                        echo + [
                            ("Access-Control-Allow-Credentials", "true"),
                            ("Access-Control-Allow-Methods", "PUT, DELETE"),
                            ("Access-Control-Allow-Headers", "x-a, content-type"), ("Access-Control-Max-Age", "60"),
                        ])
                }
            }
            switch path {
            case "/missing": return ScriptedResponse(200, [], body: "secret")
            case "/multiple": return ScriptedResponse(200, echo + echo)
            case "/invalid": return ScriptedResponse(200, [("Access-Control-Allow-Origin", "-")])
            case "/mismatch": return ScriptedResponse(200, [("Access-Control-Allow-Origin", "https://other.example")])
            case "/wildcard":
                return ScriptedResponse(
                    200, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")])
            case "/no-credentials": return ScriptedResponse(200, echo)
            case "/redirect-ftp": return ScriptedResponse(302, echo + [("Location", "ftp://127.0.0.1/file")])
            case "/redirect-userinfo":
                return ScriptedResponse(302, echo + [("Location", "http://user:pw@127.0.0.1:1/ok")])
            case "/loop": return ScriptedResponse(302, echo + [("Location", "/loop")])
            case "/bad-location": return ScriptedResponse(302, echo + [("Location", "http://[::1")])
            default:
                return ScriptedResponse(
                    200,
                    echo + [
                        ("Access-Control-Allow-Credentials", "true"),
                        ("Access-Control-Expose-Headers", "x-total-count"),
                        ("Content-Type", "application/json"), ("X-Total-Count", "3"), ("X-Secret", "1"),
                    ], body: "{\"ok\":true}")
            }
        }
    }
}
