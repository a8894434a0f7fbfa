/// The ways a browser engine departs from, or fills in, what the Fetch Standard leaves to it.
///
/// Sources: the engines' preflight-cache code — Chromium `services/network/cors/preflight_result.cc` and
/// `preflight_cache.cc`, Firefox `netwerk/protocol/http/nsCORSListenerProxy.cpp`, WebKit
/// `Source/WebCore/loader/CrossOriginPreflightResultCache.cpp`.
public struct BrowserProfile: Sendable, Hashable {
    /// How a browser reads an `Access-Control-Max-Age` it cannot parse or that is negative.
    public enum InvalidMaxAge: Sendable, Hashable {
        /// Fall back to the default of 5 seconds (the spec, for a value that is not `delta-seconds`).
        case useDefault
        /// Do not cache the preflight at all.
        case doNotCache
    }

    /// What a cached `*` answers.
    public enum CachedWildcards: Sendable, Hashable {
        /// Every method, and every header name but `authorization`: the spec's cache matching
        /// (https://fetch.spec.whatwg.org/#concept-cache-match-header), and Chromium's.
        case exceptAuthorization
        /// Every method and every header name, `authorization` included (WebKit, whose cache keeps its preflight
        /// check's answer).
        case everything
        /// Nothing: a request a cached `*` would cover is preflighted again (Firefox).
        case nothing
    }

    /// The engine's name, as `cors check --browser` takes it.
    public var name: String
    /// The longest a preflight is cached, in seconds.
    public var maximumMaxAge: Int
    /// The cache lifetime when `Access-Control-Max-Age` is absent: 5 s everywhere.
    public var defaultMaxAge: Int
    /// What a value that is not a number does.
    public var invalidMaxAge: InvalidMaxAge
    /// What a negative number does. Every engine stops caching, although the spec's parser would fall back to 5 s.
    public var negativeMaxAge: InvalidMaxAge
    /// Whether a new preflight replaces everything cached for the same origin and URL (Chromium, WebKit) rather
    /// than adding entries per method and header name (the spec, Firefox).
    public var preflightReplacesCacheEntries: Bool
    /// Whether `Access-Control-Allow-Headers: *` (without credentials) also covers `Authorization`. The spec says
    /// no (#cors-non-wildcard-request-header-name); Chromium 156 says yes (see the README's divergences).
    public var authorizationCoveredByWildcard: Bool
    /// Whether a preflighted fetch that fails clears what the cache holds for its origin and URL (the spec's
    /// "clear cache entries"); Chromium and WebKit keep them.
    public var clearsCacheOnFailure: Bool
    /// What a cached `*` (in `Access-Control-Allow-Methods` or `-Headers`, from a preflight without credentials)
    /// answers for later requests.
    public var cachedWildcards: CachedWildcards
    /// The request cache modes (`fetch(url, {cache})`) for which the engine does not look in the preflight cache:
    /// such a fetch is preflighted even when a cached preflight would allow it. The spec has none: its preflight
    /// cache (#cors-preflight-cache) does not depend on the cache mode.
    public var preflightCacheSkipped: Set<RequestCacheMode>
    /// The request cache modes whose preflight the engine does not store. The spec has none.
    public var preflightCacheNotFilled: Set<RequestCacheMode>
    /// Whether the preflight cache keeps what credentialed preflights allowed apart from the rest. In the spec a
    /// credentialed entry also serves requests without credentials (#concept-cache-match); Firefox keys its cache by
    /// the credentials mode, so the second request is preflighted again.
    public var cacheSeparatesCredentials: Bool
    /// Whether a cached preflight covers `HEAD` without listing it, as the safelisted method it is (the spec's HTTP
    /// fetch, #http-fetch, needs no method cache entry match for a CORS-safelisted method). Firefox's cache
    /// lookup exempts only `GET` and `POST`, so a `HEAD` with a non-safelisted header is preflighted every time
    /// unless a preflight listed `HEAD`.
    public var cachedPreflightsCoverHEAD: Bool

    public init(
        name: String, maximumMaxAge: Int, defaultMaxAge: Int = 5, invalidMaxAge: InvalidMaxAge,
        negativeMaxAge: InvalidMaxAge = .doNotCache, preflightReplacesCacheEntries: Bool,
        authorizationCoveredByWildcard: Bool = false, clearsCacheOnFailure: Bool = true,
        cachedWildcards: CachedWildcards = .exceptAuthorization, preflightCacheSkipped: Set<RequestCacheMode> = [],
        preflightCacheNotFilled: Set<RequestCacheMode> = [], cacheSeparatesCredentials: Bool = false,
        cachedPreflightsCoverHEAD: Bool = true
    ) {
        self.name = name
        self.maximumMaxAge = maximumMaxAge
        self.defaultMaxAge = defaultMaxAge
        self.invalidMaxAge = invalidMaxAge
        self.negativeMaxAge = negativeMaxAge
        self.preflightReplacesCacheEntries = preflightReplacesCacheEntries
        self.authorizationCoveredByWildcard = authorizationCoveredByWildcard
        self.clearsCacheOnFailure = clearsCacheOnFailure
        self.cachedWildcards = cachedWildcards
        self.preflightCacheSkipped = preflightCacheSkipped
        self.preflightCacheNotFilled = preflightCacheNotFilled
        self.cacheSeparatesCredentials = cacheSeparatesCredentials
        self.cachedPreflightsCoverHEAD = cachedPreflightsCoverHEAD
    }

    /// Chromium, as measured against Chromium 156 by the real-browser suite: preflights cached for at most 2 hours,
    /// a new preflight replaces the cached result, a failed fetch leaves the cache alone, and `*` in
    /// `Access-Control-Allow-Headers` covers `Authorization`.
    public static let chromium = BrowserProfile(
        name: "chromium", maximumMaxAge: 7200, invalidMaxAge: .useDefault, preflightReplacesCacheEntries: true,
        authorizationCoveredByWildcard: true, clearsCacheOnFailure: false,
        preflightCacheSkipped: [.noStore, .reload, .noCache], preflightCacheNotFilled: [.noStore])
    /// Firefox, as measured against Firefox ESR 153 by the real-browser suite: at most 24 hours; any non-digit in
    /// max-age disables caching; entries merge across preflights; a cached `*` never answers a later request; `*` in
    /// `Access-Control-Allow-Headers` covers `Authorization`; credentialed and other preflights are cached apart; a
    /// cached preflight covers `HEAD` only when it listed it.
    public static let firefox = BrowserProfile(
        name: "firefox", maximumMaxAge: 86_400, invalidMaxAge: .doNotCache, preflightReplacesCacheEntries: false,
        authorizationCoveredByWildcard: true, cachedWildcards: .nothing, preflightCacheSkipped: [.noStore, .reload],
        cacheSeparatesCredentials: true, cachedPreflightsCoverHEAD: false)
    /// WebKit, as measured against WebKitGTK 2.50 by the real-browser suite: at most 600 seconds; a new preflight
    /// replaces the cached result; a failed fetch leaves the cache alone; `*` in `Access-Control-Allow-Headers`
    /// covers `Authorization`, from the cache too.
    public static let webkit = BrowserProfile(
        name: "webkit", maximumMaxAge: 600, invalidMaxAge: .useDefault, preflightReplacesCacheEntries: true,
        authorizationCoveredByWildcard: true, clearsCacheOnFailure: false, cachedWildcards: .everything)
    /// The Fetch Standard as written, with a 24-hour cap.
    public static let spec = BrowserProfile(
        name: "spec", maximumMaxAge: 86_400, invalidMaxAge: .useDefault, negativeMaxAge: .useDefault,
        preflightReplacesCacheEntries: false)

    /// The profiles by name.
    public static let all: [BrowserProfile] = [.chromium, .firefox, .webkit, .spec]

    /// Seconds to cache a preflight whose `Access-Control-Max-Age` field lines are `values`; 0 means not at all.
    ///
    /// https://fetch.spec.whatwg.org/#cors-preflight-fetch (step 7.7)
    public func maxAge(_ values: [String]) -> Int {
        guard let value = values.first else { return defaultMaxAge }
        guard values.count == 1 else { return fallback(invalidMaxAge) }
        if value.hasPrefix("-"), value.count > 1, value.dropFirst().utf8.allSatisfy(ASCII.isDigit) {
            return fallback(negativeMaxAge)
        }
        guard !value.isEmpty, value.utf8.allSatisfy(ASCII.isDigit) else { return fallback(invalidMaxAge) }
        let digits = value.drop(while: { $0 == "0" })
        guard digits.count <= 9, let seconds = Int(digits.isEmpty ? "0" : digits) else { return maximumMaxAge }
        return min(seconds, maximumMaxAge)
    }

    private func fallback(_ rule: InvalidMaxAge) -> Int {
        rule == .useDefault ? defaultMaxAge : 0
    }
}
