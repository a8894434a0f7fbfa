public import HTTPTypes

/// One request a browser sent, with the response it got (if any).
public struct FetchExchange: Sendable, Hashable {
    /// The request as sent.
    public let request: OutgoingRequest
    /// The response as received; `nil` after a network error.
    public var response: HTTPResponse?
}

/// A request the browser model wants sent, exactly as a browser would send it.
public struct OutgoingRequest: Sendable, Hashable {
    public let method: HTTPRequest.Method
    /// The absolute URL, without credentials or fragment.
    public let url: String
    /// The header fields, `Origin` and (for a preflight) `Access-Control-Request-*` included.
    public let headerFields: HTTPFields
    /// Whether this is a CORS preflight.
    public let isPreflight: Bool
    /// Whether a browser would attach cookies and HTTP authentication (never to a preflight).
    public let includesCredentials: Bool

    /// The request line and header lines, as a trace shows them.
    public var lines: [String] {
        ["\(method.rawValue) \(url)"] + headerFields.map { "\($0.name.rawName): \($0.value)" }
    }
}

/// What a page gets from `fetch`: a readable response, an opaque one, or a network error with its reason.
public struct FetchResult: Sendable {
    /// The response's type as script sees it.
    ///
    /// https://fetch.spec.whatwg.org/#concept-response-type
    public enum ResponseType: String, Sendable, Hashable {
        case basic, cors, opaque
        case opaqueRedirect = "opaqueredirect"
        case error
    }

    public let type: ResponseType
    /// Why the fetch failed; `nil` unless ``type`` is ``ResponseType/error``.
    public let failure: CORSFailure?
    /// The value behind the failure, when there is one (the `Access-Control-Allow-Origin` received, the method or
    /// header refused).
    public let failureDetail: String?
    /// The final response as received from the network (all of its fields), when there was one.
    public let response: HTTPResponse?
    /// The fields script may read: all but `Set-Cookie` for `basic`, the CORS-safelisted and exposed ones for `cors`,
    /// none for opaque types.
    ///
    /// https://fetch.spec.whatwg.org/#concept-filtered-response-cors
    public let readableHeaderFields: HTTPFields
    /// Every request sent, in order, with its response.
    public let exchanges: [FetchExchange]
    /// Every step, in order.
    public let trace: [TraceStep]

    /// Whether script on the page can read the response (its status, readable headers and body).
    public var isReadable: Bool { type == .basic || type == .cors }

    /// The status script sees: 0 for opaque responses and errors.
    public var status: Int {
        isReadable ? response.map { Int($0.status.code) } ?? 0 : 0
    }

    /// The lowercase names script may read, sorted and deduplicated.
    public var readableHeaderNames: [String] {
        Fetch.sortedLowercaseSet(readableHeaderFields.map(\.name.canonicalName))
    }

    /// The preflight exchange, if a preflight was sent.
    public var preflight: FetchExchange? {
        exchanges.last { $0.request.isPreflight }
    }
}
