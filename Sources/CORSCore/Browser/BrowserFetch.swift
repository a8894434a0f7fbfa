public import HTTPTypes

/// What a browser does when script on a page calls `fetch`, as a sans-I/O state machine: it says which request to
/// send next, is fed each response, and ends with what the page gets.
///
/// ```swift
/// var fetch = BrowserFetch(request, profile: .chromium, cache: cache)
/// var action = fetch.start()
/// while case .send(let outgoing) = action {
///     action = fetch.receive(try await transport(outgoing))   // or fetch.receiveNetworkError(...)
/// }
/// ```
///
/// It follows the Fetch Standard's main fetch (https://fetch.spec.whatwg.org/#main-fetch): the request's mode and
/// response tainting, the CORS-preflight fetch and cache (#cors-preflight-fetch), the CORS check on every response
/// of a CORS request, redirects with their redirect-taint (#http-redirect-fetch), and the CORS filtered response.
public struct BrowserFetch: Sendable {
    /// The next thing to do.
    public enum Action: Sendable {
        /// Send this request and call ``BrowserFetch/receive(_:)`` (or ``BrowserFetch/receiveNetworkError(_:)``).
        case send(OutgoingRequest)
        /// The fetch is over.
        case finish(FetchResult)
    }

    private enum Tainting { case basic, cors, opaque }
    private enum Phase { case start, preflight(unsafeNames: [String]), actual, done }

    public let request: CrossOriginRequest
    public let profile: BrowserProfile
    private let cache: PreflightCache?
    private var method: HTTPRequest.Method
    private var headers: HTTPFields
    private var urlList: [URLParts] = []
    private var tainting = Tainting.basic
    private var redirectCount = 0
    private var phase = Phase.start
    private var preflighted = false
    private var exchanges: [FetchExchange] = []
    private var trace: [TraceStep] = []

    /// The redirect statuses (https://fetch.spec.whatwg.org/#redirect-status).
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    public init(_ request: CrossOriginRequest, profile: BrowserProfile = .chromium, cache: PreflightCache? = nil) {
        self.request = request
        self.profile = profile
        self.cache = cache
        self.method = request.method
        self.headers = request.headerFields
    }

    /// Runs the checks a browser makes before any traffic, then says what to send first.
    public mutating func start() -> Action {
        trace.append(.started(request))
        let url: URLParts
        do {
            url = try URLParts(request.url)
        } catch {
            return fail(.invalidURL, detail: request.url)
        }
        if url.includesCredentials { return fail(.urlHasCredentials, detail: request.url) }
        if request.method.isForbidden { return fail(.forbiddenMethod, detail: request.method.rawValue) }
        method = request.method.normalized
        // The Request constructor (https://fetch.spec.whatwg.org/#dom-request): only-if-cached needs same-origin.
        if request.cache == .onlyIfCached, request.mode != .sameOrigin {
            return fail(.onlyIfCachedNotSameOrigin, detail: nil)
        }
        if request.mode == .noCORS, !method.isCORSSafelisted {
            return fail(.noCORSMethodNotSafelisted, detail: method.rawValue)
        }
        var kept = HTTPFields()
        for field in request.headerFields {
            if Fetch.isForbiddenRequestHeader(name: field.name, value: field.value) {
                trace.append(.headerDropped(field.name, .forbidden))
            } else if request.mode == .noCORS,
                !Fetch.isNoCORSSafelistedRequestHeader(name: field.name, value: field.value)
            {
                trace.append(.headerDropped(field.name, .notNoCORSSafelisted))
            } else {
                kept.append(field)
            }
        }
        headers = kept
        urlList = [url]
        return mainFetch()
    }

    /// Feeds the response to the request last sent.
    public mutating func receive(_ received: HTTPResponse) -> Action {
        if !exchanges.isEmpty { exchanges[exchanges.count - 1].response = received }
        let response = Self.normalized(received)
        trace.append(.received(response))
        switch phase {
        case .preflight(let unsafeNames): return handlePreflight(response, unsafeNames: unsafeNames)
        case .actual: return handleActual(response)
        case .start, .done: return fail(.networkError, detail: "a response arrived when none was expected")
        }
    }

    /// Reports that the request last sent got no HTTP response.
    public mutating func receiveNetworkError(_ description: String) -> Action {
        trace.append(.noResponse(description))
        if case .preflight = phase { return fail(.preflightNetworkError, detail: description) }
        return fail(.networkError, detail: description)
    }

    // MARK: - Main fetch

    private var currentURL: URLParts { urlList[urlList.count - 1] }
    private var credentialsInclude: Bool { request.credentials == .include }

    /// The request's origin as it goes on the wire: `null` once redirect-taint is not same-origin.
    ///
    /// https://fetch.spec.whatwg.org/#serializing-a-request-origin
    private var serializedOrigin: String {
        var last = urlList[0].origin
        var sameOrigin = true
        for url in urlList.dropFirst() {
            let origin = url.origin
            if !origin.isSameSite(last), !request.origin.isSameSite(last) { return "null" }
            if !origin.isSameOrigin(last), !request.origin.isSameOrigin(last) { sameOrigin = false }
            last = origin
        }
        return sameOrigin ? request.origin.serialization : "null"
    }

    private mutating func mainFetch() -> Action {
        let url = currentURL
        let isHTTP = url.scheme == "http" || url.scheme == "https"
        if tainting == .basic, isHTTP, request.origin.isSameOrigin(url.origin) {
            trace.append(.sameOrigin(url.origin))
            return sendActual()
        }
        if request.mode == .sameOrigin { return fail(.disallowedByMode, detail: url.serialization) }
        if request.mode == .noCORS {
            guard request.redirect == .follow else { return fail(.noCORSRedirectModeNotFollow, detail: nil) }
            tainting = .opaque
            trace.append(.noCORSRequest)
            return sendActual()
        }
        guard isHTTP else { return fail(.corsDisabledScheme, detail: url.scheme) }
        tainting = .cors
        let unsafeNames = Fetch.corsUnsafeRequestHeaderNames(headers)
        let unsafeMethod = method.isCORSSafelisted ? nil : method
        guard unsafeMethod != nil || !unsafeNames.isEmpty else {
            trace.append(.simpleRequest)
            return sendActual()
        }
        let origin = serializedOrigin
        let key = url.serialization
        // A preflight is needed unless the cache matches the method (or it is safelisted) and every unsafe name
        // (https://fetch.spec.whatwg.org/#http-fetch, the makeCORSPreflight step) — where the profile looks at all.
        let lookup = !profile.preflightCacheSkipped.contains(request.cache)
        if cache != nil, !lookup || profile.preflightCacheNotFilled.contains(request.cache) {
            trace.append(
                .preflightCacheBypassed(
                    browser: profile.name, cacheMode: request.cache,
                    lookup: lookup, store: !profile.preflightCacheNotFilled.contains(request.cache)))
        }
        if let cache, lookup,
            (method.isCORSSafelisted && (method != .head || profile.cachedPreflightsCoverHEAD))
                || cache.allowsMethod(
                    method.rawValue, origin: origin, url: key, credentials: credentialsInclude, profile: profile),
            unsafeNames.allSatisfy({
                cache.allowsHeader($0, origin: origin, url: key, credentials: credentialsInclude, profile: profile)
            })
        {
            trace.append(.preflightNeeded(method: unsafeMethod, headerNames: unsafeNames, cached: true))
            preflighted = true
            return sendActual()
        }
        trace.append(.preflightNeeded(method: unsafeMethod, headerNames: unsafeNames, cached: false))
        var fields: HTTPFields = [.accept: "*/*", .accessControlRequestMethod: method.rawValue]
        if !unsafeNames.isEmpty {
            fields[.accessControlRequestHeaders] = unsafeNames.joined(separator: ",")
        }
        fields[.origin] = origin
        appendFetchMetadata(to: &fields, mode: "cors")
        phase = .preflight(unsafeNames: unsafeNames)
        preflighted = true
        return send(
            OutgoingRequest(
                method: .options, url: key, headerFields: fields, isPreflight: true, includesCredentials: false))
    }

    private mutating func sendActual() -> Action {
        var fields = headers
        if tainting == .cors || (method != .get && method != .head) {
            fields[.origin] = serializedOrigin
        }
        appendFetchMetadata(to: &fields)
        let credentials = request.credentials == .include || (request.credentials == .sameOrigin && tainting == .basic)
        phase = .actual
        return send(
            OutgoingRequest(
                method: method, url: currentURL.serialization, headerFields: fields, isPreflight: false,
                includesCredentials: credentials))
    }

    // MARK: - Preflight

    /// https://fetch.spec.whatwg.org/#cors-preflight-fetch, steps 7 onwards.
    private mutating func handlePreflight(_ response: HTTPResponse, unsafeNames: [String]) -> Action {
        let fields = response.headerFields
        let status = Int(response.status.code)
        if Self.redirectStatuses.contains(status), fields[.location] != nil {
            return fail(.preflightRedirect, detail: fields[.location])
        }
        if let failure = CORSCheck.check(fields, serializedOrigin: serializedOrigin, credentials: credentialsInclude) {
            return fail(failure.preflightTwin, detail: detail(of: failure, in: fields))
        }
        trace.append(
            .passedCORSCheck(
                allowOrigin: fields[.accessControlAllowOrigin] ?? "", credentials: credentialsInclude, isPreflight: true
            ))
        guard (200...299).contains(status) else { return fail(.preflightInvalidStatus, detail: String(status)) }
        trace.append(.preflightStatusOK(status))
        var methods: [String] = []
        switch HeaderList.values(.accessControlAllowMethods, in: fields) {
        case .failure: return fail(.invalidAllowMethods, detail: fields[.accessControlAllowMethods])
        case .success(let values): methods = values
        case nil: break
        }
        var names: [String] = []
        switch HeaderList.values(.accessControlAllowHeaders, in: fields) {
        case .failure: return fail(.invalidAllowHeaders, detail: fields[.accessControlAllowHeaders])
        case .success(let values): names = values
        case nil: break
        }
        if !methods.contains(method.rawValue), !method.isCORSSafelisted,
            credentialsInclude || !methods.contains("*")
        {
            return fail(.methodNotAllowed, detail: method.rawValue)
        }
        if !method.isCORSSafelisted {
            trace.append(.methodAllowed(method))
        }
        func listed(_ name: String) -> Bool { names.contains { ASCII.equalsIgnoringCase($0.utf8, name.utf8) } }
        let wildcard = names.contains("*") && !credentialsInclude
        if headers.contains(.authorization), !listed("authorization"),
            !(wildcard && profile.authorizationCoveredByWildcard)
        {
            return fail(wildcard ? .authorizationNotCoveredByWildcard : .headerNotAllowed, detail: "authorization")
        }
        for name in unsafeNames where !listed(name) && (credentialsInclude || !names.contains("*")) {
            return fail(.headerNotAllowed, detail: name)
        }
        if !unsafeNames.isEmpty {
            trace.append(.headersAllowed(unsafeNames))
        }
        let maxAge =
            profile.preflightCacheNotFilled.contains(request.cache)
            ? 0 : profile.maxAge(fields[values: .accessControlMaxAge])
        if let cache {
            cache.store(
                origin: serializedOrigin, url: currentURL.serialization, credentials: credentialsInclude,
                methods: methods, headerNames: names, maxAge: maxAge,
                replacing: profile.preflightReplacesCacheEntries)
        }
        trace.append(.preflightCached(browser: profile.name, seconds: max(0, maxAge)))
        return sendActual()
    }

    // MARK: - Response and redirects

    private mutating func handleActual(_ response: HTTPResponse) -> Action {
        let fields = response.headerFields
        if tainting == .cors {
            if let failure = CORSCheck.check(
                fields, serializedOrigin: serializedOrigin, credentials: credentialsInclude)
            {
                return fail(failure, detail: detail(of: failure, in: fields))
            }
            trace.append(
                .passedCORSCheck(
                    allowOrigin: fields[.accessControlAllowOrigin] ?? "", credentials: credentialsInclude,
                    isPreflight: false))
        }
        let status = Int(response.status.code)
        guard Self.redirectStatuses.contains(status), let location = fields[.location] else {
            return finish(response)
        }
        switch request.redirect {
        case .error: return fail(.redirectModeError, detail: location)
        case .manual: return finish(response, type: .opaqueRedirect)
        case .follow: break
        }
        let next: URLParts
        do {
            next = try currentURL.resolving(location)
        } catch {
            return fail(.invalidRedirectLocation, detail: location)
        }
        guard next.scheme == "http" || next.scheme == "https" else {
            return fail(.redirectToNonHTTPScheme, detail: location)
        }
        guard redirectCount < 20 else { return fail(.tooManyRedirects, detail: String(redirectCount)) }
        redirectCount += 1
        if next.includesCredentials,
            (request.mode == .cors && !request.origin.isSameOrigin(next.origin)) || tainting == .cors
        {
            return fail(.redirectContainsCredentials, detail: location)
        }
        if (status == 301 || status == 302) && method == .post || status == 303 && method != .get && method != .head {
            trace.append(.methodChangedToGET(status: status, from: method))
            method = .get
            for name in [HTTPField.Name.contentEncoding, .contentLanguage, .contentLocation, .contentType] {
                headers[name] = nil
            }
        }
        if !currentURL.origin.isSameOrigin(next.origin), headers.contains(.authorization) {
            headers[.authorization] = nil
            trace.append(.authorizationDropped)
        }
        urlList.append(next)
        preflighted = false
        trace.append(.redirected(count: redirectCount, to: next.serialization, origin: serializedOrigin))
        return mainFetch()
    }

    private mutating func finish(_ response: HTTPResponse, type forcedType: FetchResult.ResponseType? = nil) -> Action {
        phase = .done
        let type: FetchResult.ResponseType
        switch forcedType ?? (tainting == .basic ? .basic : tainting == .cors ? .cors : .opaque) {
        case .basic: type = .basic
        case .cors: type = .cors
        case let other: type = other
        }
        var readable = HTTPFields()
        switch type {
        case .basic:
            readable = HTTPFields(response.headerFields.filter { !Fetch.isForbiddenResponseHeaderName($0.name) })
        case .cors:
            let exposed = exposedNames(response.headerFields)
            readable = HTTPFields(
                response.headerFields.filter { Fetch.isCORSSafelistedResponseHeaderName($0.name, exposed: exposed) })
            trace.append(
                .readable(
                    status: Int(response.status.code),
                    headerNames: Fetch.sortedLowercaseSet(readable.map(\.name.canonicalName))))
        case .opaque, .opaqueRedirect, .error:
            trace.append(.unreadable(type))
        }
        return .finish(
            FetchResult(
                type: type, failure: nil, failureDetail: nil, response: response, readableHeaderFields: readable,
                exchanges: exchanges, trace: trace))
    }

    /// The CORS-exposed header-name list: `Access-Control-Expose-Headers`, where `*` means every name only for a
    /// request without credentials, and a list that fails to parse exposes nothing.
    ///
    /// https://fetch.spec.whatwg.org/#main-fetch (the CORS-exposed header-name list)
    private func exposedNames(_ fields: HTTPFields) -> [HTTPField.Name] {
        guard case .success(let names)? = HeaderList.values(.accessControlExposeHeaders, in: fields) else { return [] }
        if !credentialsInclude, names.contains("*") { return fields.map(\.name) }
        return names.compactMap { HTTPField.Name($0) }
    }

    // MARK: - Helpers

    /// `Sec-Fetch-Site`, `Sec-Fetch-Mode` and `Sec-Fetch-Dest`, sent to potentially trustworthy URLs only: how far
    /// the request has come (the whole redirect chain counts), and that script's `fetch` made it.
    ///
    /// https://w3c.github.io/webappsec-fetch-metadata/#abstract-opdef-append-the-fetch-metadata-headers-for-a-request
    private func appendFetchMetadata(to fields: inout HTTPFields, mode: String? = nil) {
        guard currentURL.origin.isPotentiallyTrustworthy else { return }
        let site = urlList.map { request.origin.relation(to: $0.origin) }.max() ?? .sameOrigin
        fields[Self.secFetchSite] = site.rawValue
        fields[Self.secFetchMode] = mode ?? request.mode.rawValue
        fields[Self.secFetchDest] = "empty"
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let secFetchMode = HTTPField.Name("Sec-Fetch-Mode")!
    static let secFetchDest = HTTPField.Name("Sec-Fetch-Dest")!

    /// The response with each field value normalized (leading and trailing HTTP whitespace removed), as a
    /// browser's HTTP parser hands it to Fetch.
    ///
    /// https://fetch.spec.whatwg.org/#concept-header-value-normalize
    static func normalized(_ response: HTTPResponse) -> HTTPResponse {
        var copy = response
        copy.headerFields = HTTPFields(
            response.headerFields.map { field in
                let value = field.value.utf8
                guard let first = value.first, let last = value.last,
                    ASCII.isHTTPWhitespace(first) || ASCII.isHTTPWhitespace(last)
                else { return field }
                return HTTPField(
                    name: field.name,
                    lenientValue: Array(ASCII.trimming(field.value[...], where: ASCII.isHTTPWhitespace).utf8))
            })
        return copy
    }

    private mutating func send(_ outgoing: OutgoingRequest) -> Action {
        exchanges.append(FetchExchange(request: outgoing, response: nil))
        trace.append(.sent(outgoing))
        return .send(outgoing)
    }

    private mutating func fail(_ failure: CORSFailure, detail: String?) -> Action {
        phase = .done
        if preflighted, tainting == .cors, profile.clearsCacheOnFailure, let cache, !urlList.isEmpty {
            cache.clear(origin: serializedOrigin, url: currentURL.serialization)
        }
        let namesOrigin: Set<CORSFailure> = [
            .allowOriginMismatch, .invalidAllowOrigin, .multipleAllowOrigin, .preflightAllowOriginMismatch,
            .preflightInvalidAllowOrigin, .preflightMultipleAllowOrigin,
        ]
        trace.append(
            .failed(failure, detail: detail, requestOrigin: namesOrigin.contains(failure) ? serializedOrigin : nil))
        return .finish(
            FetchResult(
                type: .error, failure: failure, failureDetail: detail, response: exchanges.last?.response,
                readableHeaderFields: [:], exchanges: exchanges, trace: trace))
    }

    private func detail(of failure: CORSFailure, in fields: HTTPFields) -> String? {
        switch failure {
        case .allowCredentialsNotTrue: return fields[.accessControlAllowCredentials] ?? ""
        case .missingAllowOrigin: return nil
        default: return fields[.accessControlAllowOrigin]
        }
    }
}
