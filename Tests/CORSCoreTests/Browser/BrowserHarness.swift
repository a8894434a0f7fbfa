import CORSCore
import HTTPTypes

/// Runs the browser model against an in-memory server: `respond` answers each request (nil = network error).
func runFetch(
    _ request: CrossOriginRequest, profile: BrowserProfile = .spec, cache: PreflightCache? = nil,
    respond: (OutgoingRequest) -> HTTPResponse?
) -> FetchResult {
    var fetch = BrowserFetch(request, profile: profile, cache: cache)
    var action = fetch.start()
    var hops = 0
    while case .send(let outgoing) = action {
        hops += 1
        precondition(hops < 100, "the model looped")
        if let response = respond(outgoing) {
            action = fetch.receive(response)
        } else {
            action = fetch.receiveNetworkError("connection refused")
        }
    }
    guard case .finish(let result) = action else { fatalError("unreachable") }
    return result
}

func response(_ status: Int = 200, _ fields: [(String, String)] = []) -> HTTPResponse {
    var headerFields = HTTPFields()
    for (name, value) in fields {
        headerFields.append(HTTPField(name: HTTPField.Name(name)!, lenientValue: Array(value.utf8)))
    }
    return HTTPResponse(status: HTTPResponse.Status(code: status), headerFields: headerFields)
}

/// The WPT hosts: the page's origin P, a cross-origin remote R and a second remote R2 (same site, other hosts).
enum WPT {
    static let P = "http://web-platform.test:8000"
    static let R = "http://www1.web-platform.test:8000"
    static let R2 = "http://www2.web-platform.test:8000"
    static let page = Origin(headerValue: P)!

    static func request(
        _ url: String, method: String = "GET", headers: [(String, String)] = [],
        credentials: CredentialsMode = .sameOrigin, mode: RequestMode = .cors
    ) -> CrossOriginRequest {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return CrossOriginRequest(
            origin: page, url: url, method: HTTPRequest.Method(method)!, headerFields: fields, mode: mode,
            credentials: credentials)
    }
}
