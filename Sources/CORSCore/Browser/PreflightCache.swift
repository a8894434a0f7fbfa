import Synchronization

/// The CORS-preflight cache: what earlier preflights allowed, per origin, URL and credentials, for max-age seconds.
///
/// Entries are per method and per header name, as the spec keeps them. Time comes from an injectable clock so that
/// expiry can be tested without waiting.
///
/// https://fetch.spec.whatwg.org/#cors-preflight-cache
public final class PreflightCache: Sendable {
    struct Entry: Sendable, Hashable {
        var origin: String
        var url: String
        var credentials: Bool
        var method: String?
        var headerName: String?
        var expiry: Double
    }

    private let entries = Mutex<[Entry]>([])
    /// Seconds on a monotonic scale.
    public let clock: @Sendable () -> Double

    /// A cache whose time comes from `clock` (seconds on any monotonic scale); by default the process's monotonic
    /// clock.
    public init(clock: (@Sendable () -> Double)? = nil) {
        self.clock = clock ?? Self.monotonicSeconds
    }

    /// Seconds since the process started its clock.
    package static let monotonicSeconds: @Sendable () -> Double = {
        let elapsed = PreflightCache.start.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static let start = ContinuousClock.now

    /// The number of live entries.
    public var count: Int {
        let now = clock()
        return entries.withLock { $0.filter { $0.expiry > now }.count }
    }

    /// https://fetch.spec.whatwg.org/#concept-cache-match — a credentialed entry also serves requests without
    /// credentials; the reverse does not hold (and neither does the first where `profile` keeps them apart).
    private func matches(
        _ entry: Entry, origin: String, url: String, credentials: Bool, profile: BrowserProfile, now: Double
    ) -> Bool {
        entry.expiry > now && entry.origin == origin && entry.url == url
            && (entry.credentials == credentials || (entry.credentials && !profile.cacheSeparatesCredentials))
    }

    /// Whether a cached preflight allows `method` (byte for byte, or `*` from a preflight without credentials —
    /// unless the profile's `cachedWildcards` is `.nothing`, as in Firefox, which never lets a cached `*` answer).
    ///
    /// https://fetch.spec.whatwg.org/#concept-cache-match-method
    public func allowsMethod(
        _ method: String, origin: String, url: String, credentials: Bool, profile: BrowserProfile = .spec
    ) -> Bool {
        let now = clock()
        return entries.withLock { entries in
            entries.contains {
                matches($0, origin: origin, url: url, credentials: credentials, profile: profile, now: now)
                    && ($0.method == method
                        || (profile.cachedWildcards != .nothing && $0.method == "*" && !$0.credentials))
            }
        }
    }

    /// Whether a cached preflight allows the request-header `name` (any case; `*` from a preflight without
    /// credentials covers what the profile's `cachedWildcards` says: in the spec every name but `authorization` — in
    /// Chromium too, whose cache lookups keep this rule even where its preflight check does not).
    ///
    /// https://fetch.spec.whatwg.org/#concept-cache-match-header
    public func allowsHeader(
        _ name: String, origin: String, url: String, credentials: Bool, profile: BrowserProfile = .spec
    ) -> Bool {
        let now = clock()
        return entries.withLock { entries in
            entries.contains {
                guard matches($0, origin: origin, url: url, credentials: credentials, profile: profile, now: now),
                    let entryName = $0.headerName
                else { return false }
                if ASCII.equalsIgnoringCase(entryName.utf8, name.utf8) { return true }
                guard entryName == "*", !$0.credentials else { return false }
                switch profile.cachedWildcards {
                case .exceptAuthorization: return !ASCII.equalsIgnoringCase(name.utf8, "authorization".utf8)
                case .everything: return true
                case .nothing: return false
                }
            }
        }
    }

    /// Records what a successful preflight allowed, for `maxAge` seconds (0 stores nothing).
    ///
    /// With `replacing`, everything cached for the origin and URL is dropped first (Chromium and WebKit keep one
    /// result per origin and URL).
    public func store(
        origin: String, url: String, credentials: Bool, methods: [String], headerNames: [String], maxAge: Int,
        replacing: Bool
    ) {
        let now = clock()
        let expiry = now + Double(maxAge)
        entries.withLock { entries in
            entries.removeAll { $0.expiry <= now || (replacing && $0.origin == origin && $0.url == url) }
            guard maxAge > 0 else { return }
            for method in methods {
                entries.removeAll {
                    $0.origin == origin && $0.url == url && $0.credentials == credentials && $0.method == method
                }
                entries.append(
                    Entry(origin: origin, url: url, credentials: credentials, method: method, expiry: expiry))
            }
            for name in headerNames {
                entries.removeAll {
                    $0.origin == origin && $0.url == url && $0.credentials == credentials
                        && $0.headerName.map { ASCII.equalsIgnoringCase($0.utf8, name.utf8) } == true
                }
                entries.append(
                    Entry(origin: origin, url: url, credentials: credentials, headerName: name, expiry: expiry))
            }
        }
    }

    /// Drops every entry for the origin and URL, as a failed preflighted fetch does.
    ///
    /// https://fetch.spec.whatwg.org/#concept-cache-clear
    public func clear(origin: String, url: String) {
        entries.withLock { $0.removeAll { $0.origin == origin && $0.url == url } }
    }
}
