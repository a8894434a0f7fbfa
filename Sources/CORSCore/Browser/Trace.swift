public import HTTPTypes

/// One thing that happened during a ``BrowserFetch``, in order: data, not prose. `cors check` renders each step as
/// a sentence; tools can match on them.
///
/// New cases may be added in any release: switch over them with a `default`.
public enum TraceStep: Sendable, Hashable {
    /// The fetch as the page asked for it.
    case started(CrossOriginRequest)
    /// The browser removed a header the page set, before sending anything.
    case headerDropped(HTTPField.Name, HeaderDropReason)
    /// The URL is on the page's own origin: no CORS is involved (https://fetch.spec.whatwg.org/#main-fetch, step 12).
    case sameOrigin(Origin)
    /// Mode `no-cors`: the request goes out and the response will be opaque.
    case noCORSRequest
    /// A CORS request needing no preflight: only the response's CORS check decides.
    case simpleRequest
    /// A preflight is needed — for a method that is not CORS-safelisted, for header names that are not, or both —
    /// and `cached` when an entry of the preflight cache still allows the request.
    case preflightNeeded(method: HTTPRequest.Method?, headerNames: [String], cached: Bool)
    /// The fetch's cache mode makes the profile's browser skip its preflight cache: it does not look in it
    /// (`lookup` false), or does not store the preflight (`store` false).
    case preflightCacheBypassed(browser: String, cacheMode: RequestCacheMode, lookup: Bool, store: Bool)
    /// A request went out (the preflight, or the request itself).
    case sent(OutgoingRequest)
    /// A response came back, its field values normalized as a browser's HTTP parser hands them to Fetch.
    case received(HTTPResponse)
    /// The request got no HTTP response.
    case noResponse(String)
    /// A response (`isPreflight`: the preflight's) passed the CORS check with this `Access-Control-Allow-Origin`.
    case passedCORSCheck(allowOrigin: String, credentials: Bool, isPreflight: Bool)
    /// The preflight's status is an ok status (2xx).
    case preflightStatusOK(Int)
    /// The preflight's `Access-Control-Allow-Methods` allows the method.
    case methodAllowed(HTTPRequest.Method)
    /// The preflight's `Access-Control-Allow-Headers` allows these header names.
    case headersAllowed([String])
    /// The profile's browser keeps the preflight for `seconds` (0: not at all).
    case preflightCached(browser: String, seconds: Int)
    /// A 301, 302 or 303 redirect turned the method into `GET` and dropped the body.
    case methodChangedToGET(status: Int, from: HTTPRequest.Method)
    /// A redirect to another origin made the browser drop `Authorization`.
    case authorizationDropped
    /// A redirect was followed; `origin` is the `Origin` the next request carries (`null` once tainted).
    case redirected(count: Int, to: String, origin: String)
    /// The page can read the response: its status and the header names script sees.
    case readable(status: Int, headerNames: [String])
    /// The response is of a type script cannot read (opaque, opaque-redirect).
    case unreadable(FetchResult.ResponseType)
    /// The fetch failed; `requestOrigin` is given when the failure is about the origin the server named.
    case failed(CORSFailure, detail: String?, requestOrigin: String?)

    /// Why the browser drops a header the page set.
    public enum HeaderDropReason: String, Sendable, Hashable {
        /// A forbidden request-header (https://fetch.spec.whatwg.org/#forbidden-request-header).
        case forbidden
        /// Not a no-CORS-safelisted request-header, in mode `no-cors`.
        case notNoCORSSafelisted
    }
}
