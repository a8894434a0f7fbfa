public import HTTPTypes

/// A request's mode: whether it may go cross-origin, and whether its response may then be read.
///
/// https://fetch.spec.whatwg.org/#concept-request-mode
public enum RequestMode: String, Sendable, Hashable, CaseIterable {
    /// Cross-origin requests use the CORS protocol (what `fetch(url)` does).
    case cors
    /// Cross-origin responses are opaque: sent, never readable.
    case noCORS = "no-cors"
    /// Cross-origin requests fail.
    case sameOrigin = "same-origin"
}

/// Whether a request carries cookies and HTTP authentication.
///
/// https://fetch.spec.whatwg.org/#concept-request-credentials-mode
public enum CredentialsMode: String, Sendable, Hashable, CaseIterable {
    /// Never.
    case omit
    /// Only to the page's own origin (the default).
    case sameOrigin = "same-origin"
    /// Always; the response is then readable only with `Access-Control-Allow-Credentials: true`.
    case include
}

/// What happens when a response redirects.
///
/// https://fetch.spec.whatwg.org/#concept-request-redirect-mode
public enum RedirectMode: String, Sendable, Hashable, CaseIterable {
    case follow
    case error
    case manual
}

/// How a request uses the HTTP cache — and, in some engines, the preflight cache.
///
/// https://fetch.spec.whatwg.org/#concept-request-cache-mode. The standard's preflight cache ignores it; Chromium
/// and Firefox skip the preflight cache for some modes (see ``BrowserProfile/preflightCacheSkipped``).
public enum RequestCacheMode: String, Sendable, Hashable, CaseIterable {
    case `default`
    case noStore = "no-store"
    case reload
    case noCache = "no-cache"
    case forceCache = "force-cache"
    /// Only with mode `same-origin`: `fetch` throws a `TypeError` otherwise.
    case onlyIfCached = "only-if-cached"
}

/// What script on a page asks a browser to fetch: `fetch(url, {method, headers, mode, credentials, redirect, cache})`.
public struct CrossOriginRequest: Sendable, Hashable {
    /// The origin of the page whose script makes the request.
    public var origin: Origin
    /// The absolute URL requested.
    public var url: String
    /// The method as script gave it; it is normalized as `fetch` does (`get` → `GET`, `patch` stays `patch`).
    public var method: HTTPRequest.Method
    /// The headers script set. Forbidden ones are dropped, as browsers do.
    public var headerFields: HTTPFields
    public var mode: RequestMode
    public var credentials: CredentialsMode
    public var redirect: RedirectMode
    public var cache: RequestCacheMode
    /// Whether the request has a body (it is dropped when a redirect turns the method into `GET`).
    public var hasBody: Bool

    public init(
        origin: Origin,
        url: String,
        method: HTTPRequest.Method = .get,
        headerFields: HTTPFields = [:],
        mode: RequestMode = .cors,
        credentials: CredentialsMode = .sameOrigin,
        redirect: RedirectMode = .follow,
        hasBody: Bool = false,
        cache: RequestCacheMode = .default
    ) {
        self.origin = origin
        self.url = url
        self.method = method
        self.headerFields = headerFields
        self.mode = mode
        self.credentials = credentials
        self.redirect = redirect
        self.hasBody = hasBody
        self.cache = cache
    }
}
