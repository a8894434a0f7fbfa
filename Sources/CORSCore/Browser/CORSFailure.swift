/// Every distinct reason a browser refuses to let a page read a response, with the names Chromium and Firefox give
/// it, a one-line summary and the fix.
///
/// Chromium's names are its `network::mojom::CorsError` values as DevTools shows them (`Network.CorsError`); Firefox's
/// are the keys of its console messages (also the slugs of MDN's CORS error pages). `nil` means the engine reports
/// the case as something other than a CORS error (a `TypeError`, a `net::ERR_*`), or not at all.
public struct CORSFailure: Sendable, Hashable, CustomStringConvertible {
    private enum Base: String, CaseIterable {
        // Before any traffic: the Request constructor or fetch() throws a TypeError.
        case invalidURL = "invalid-url"
        case urlHasCredentials = "url-has-credentials"
        case forbiddenMethod = "forbidden-method"
        case noCORSMethodNotSafelisted = "no-cors-method-not-safelisted"
        case noCORSRedirectModeNotFollow = "no-cors-redirect-mode-not-follow"
        case onlyIfCachedNotSameOrigin = "only-if-cached-not-same-origin"
        case disallowedByMode = "disallowed-by-mode"
        case corsDisabledScheme = "cors-disabled-scheme"
        // The preflight.
        case preflightNetworkError = "preflight-network-error"
        case preflightRedirect = "preflight-redirect"
        case preflightInvalidStatus = "preflight-invalid-status"
        case preflightMissingAllowOrigin = "preflight-missing-allow-origin"
        case preflightMultipleAllowOrigin = "preflight-multiple-allow-origin"
        case preflightInvalidAllowOrigin = "preflight-invalid-allow-origin"
        case preflightAllowOriginMismatch = "preflight-allow-origin-mismatch"
        case preflightWildcardOriginWithCredentials = "preflight-wildcard-origin-with-credentials"
        case preflightAllowCredentialsNotTrue = "preflight-allow-credentials-not-true"
        case invalidAllowMethods = "invalid-allow-methods"
        case invalidAllowHeaders = "invalid-allow-headers"
        case methodNotAllowed = "method-not-allowed"
        case headerNotAllowed = "header-not-allowed"
        case authorizationNotCoveredByWildcard = "authorization-not-covered-by-wildcard"
        // The response (every hop of a redirect chain too).
        case networkError = "network-error"
        case missingAllowOrigin = "missing-allow-origin"
        case multipleAllowOrigin = "multiple-allow-origin"
        case invalidAllowOrigin = "invalid-allow-origin"
        case allowOriginMismatch = "allow-origin-mismatch"
        case wildcardOriginWithCredentials = "wildcard-origin-with-credentials"
        case allowCredentialsNotTrue = "allow-credentials-not-true"
        // Redirects.
        case redirectModeError = "redirect-mode-error"
        case redirectToNonHTTPScheme = "redirect-to-non-http-scheme"
        case redirectContainsCredentials = "redirect-contains-credentials"
        case tooManyRedirects = "too-many-redirects"
        case invalidRedirectLocation = "invalid-redirect-location"
        // Engine settings and network access rules the model does not simulate, listed so every reason has an entry.
        case corsDisabled = "cors-disabled"
        case originHeaderNotAdded = "origin-header-not-added"
        case insecureLocalNetwork = "insecure-local-network"
        case invalidLocalNetworkAccess = "invalid-local-network-access"
        case localNetworkAccessPermissionDenied = "local-network-access-permission-denied"

        /// The stable identifier.
    }

    private let base: Base

    private init(_ base: Base) {
        self.base = base
    }

    /// The stable identifier, for logs and tools; new values may be added in any release.
    public var code: String { base.rawValue }

    public static let invalidURL = Self(.invalidURL)
    public static let urlHasCredentials = Self(.urlHasCredentials)
    public static let forbiddenMethod = Self(.forbiddenMethod)
    public static let noCORSMethodNotSafelisted = Self(.noCORSMethodNotSafelisted)
    public static let noCORSRedirectModeNotFollow = Self(.noCORSRedirectModeNotFollow)
    public static let onlyIfCachedNotSameOrigin = Self(.onlyIfCachedNotSameOrigin)
    public static let disallowedByMode = Self(.disallowedByMode)
    public static let corsDisabledScheme = Self(.corsDisabledScheme)
    public static let preflightNetworkError = Self(.preflightNetworkError)
    public static let preflightRedirect = Self(.preflightRedirect)
    public static let preflightInvalidStatus = Self(.preflightInvalidStatus)
    public static let preflightMissingAllowOrigin = Self(.preflightMissingAllowOrigin)
    public static let preflightMultipleAllowOrigin = Self(.preflightMultipleAllowOrigin)
    public static let preflightInvalidAllowOrigin = Self(.preflightInvalidAllowOrigin)
    public static let preflightAllowOriginMismatch = Self(.preflightAllowOriginMismatch)
    public static let preflightWildcardOriginWithCredentials = Self(.preflightWildcardOriginWithCredentials)
    public static let preflightAllowCredentialsNotTrue = Self(.preflightAllowCredentialsNotTrue)
    public static let invalidAllowMethods = Self(.invalidAllowMethods)
    public static let invalidAllowHeaders = Self(.invalidAllowHeaders)
    public static let methodNotAllowed = Self(.methodNotAllowed)
    public static let headerNotAllowed = Self(.headerNotAllowed)
    public static let authorizationNotCoveredByWildcard = Self(.authorizationNotCoveredByWildcard)
    public static let networkError = Self(.networkError)
    public static let missingAllowOrigin = Self(.missingAllowOrigin)
    public static let multipleAllowOrigin = Self(.multipleAllowOrigin)
    public static let invalidAllowOrigin = Self(.invalidAllowOrigin)
    public static let allowOriginMismatch = Self(.allowOriginMismatch)
    public static let wildcardOriginWithCredentials = Self(.wildcardOriginWithCredentials)
    public static let allowCredentialsNotTrue = Self(.allowCredentialsNotTrue)
    public static let redirectModeError = Self(.redirectModeError)
    public static let redirectToNonHTTPScheme = Self(.redirectToNonHTTPScheme)
    public static let redirectContainsCredentials = Self(.redirectContainsCredentials)
    public static let tooManyRedirects = Self(.tooManyRedirects)
    public static let invalidRedirectLocation = Self(.invalidRedirectLocation)
    public static let corsDisabled = Self(.corsDisabled)
    public static let originHeaderNotAdded = Self(.originHeaderNotAdded)
    public static let insecureLocalNetwork = Self(.insecureLocalNetwork)
    public static let invalidLocalNetworkAccess = Self(.invalidLocalNetworkAccess)
    public static let localNetworkAccessPermissionDenied = Self(.localNetworkAccessPermissionDenied)

    /// Every value, in the catalogue's order.
    public static let allCases: [Self] = Base.allCases.map(Self.init)
    public var description: String { code }

    /// Chromium's `CorsError` name (DevTools `Network.CorsError`), or `nil`.
    public var chromium: String? {
        switch base {
        case .disallowedByMode: return "DisallowedByMode"
        case .corsDisabledScheme: return "CorsDisabledScheme"
        case .noCORSRedirectModeNotFollow: return "NoCorsRedirectModeNotFollow"
        case .preflightNetworkError: return "InvalidResponse"
        case .preflightRedirect: return "PreflightDisallowedRedirect"
        case .preflightInvalidStatus: return "PreflightInvalidStatus"
        case .preflightMissingAllowOrigin: return "PreflightMissingAllowOriginHeader"
        case .preflightMultipleAllowOrigin: return "PreflightMultipleAllowOriginValues"
        case .preflightInvalidAllowOrigin: return "PreflightInvalidAllowOriginValue"
        case .preflightAllowOriginMismatch: return "PreflightAllowOriginMismatch"
        case .preflightWildcardOriginWithCredentials: return "PreflightWildcardOriginNotAllowed"
        case .preflightAllowCredentialsNotTrue: return "PreflightInvalidAllowCredentials"
        case .invalidAllowMethods: return "InvalidAllowMethodsPreflightResponse"
        case .invalidAllowHeaders: return "InvalidAllowHeadersPreflightResponse"
        case .methodNotAllowed: return "MethodDisallowedByPreflightResponse"
        case .headerNotAllowed, .authorizationNotCoveredByWildcard: return "HeaderDisallowedByPreflightResponse"
        case .missingAllowOrigin: return "MissingAllowOriginHeader"
        case .multipleAllowOrigin: return "MultipleAllowOriginValues"
        case .invalidAllowOrigin: return "InvalidAllowOriginValue"
        case .allowOriginMismatch: return "AllowOriginMismatch"
        case .wildcardOriginWithCredentials: return "WildcardOriginNotAllowed"
        case .allowCredentialsNotTrue: return "InvalidAllowCredentials"
        case .redirectContainsCredentials: return "RedirectContainsCredentials"
        case .insecureLocalNetwork: return "InsecureLocalNetwork"
        case .invalidLocalNetworkAccess: return "InvalidLocalNetworkAccess"
        case .localNetworkAccessPermissionDenied: return "LocalNetworkAccessPermissionDenied"
        case .invalidURL, .urlHasCredentials, .forbiddenMethod, .noCORSMethodNotSafelisted, .networkError,
            .onlyIfCachedNotSameOrigin, .redirectModeError, .redirectToNonHTTPScheme, .tooManyRedirects,
            .invalidRedirectLocation, .corsDisabled, .originHeaderNotAdded:
            return nil
        }
    }

    /// Firefox's console message key (the MDN error page's name), or `nil`.
    public var firefox: String? {
        switch base {
        case .corsDisabled: return "CORSDisabled"
        case .networkError: return "CORSDidNotSucceed2"
        case .originHeaderNotAdded: return "CORSOriginHeaderNotAdded"
        case .preflightRedirect: return "CORSExternalRedirectNotAllowed"
        case .corsDisabledScheme, .redirectToNonHTTPScheme: return "CORSRequestNotHttp"
        case .missingAllowOrigin, .preflightMissingAllowOrigin: return "CORSMissingAllowOrigin2"
        case .multipleAllowOrigin, .preflightMultipleAllowOrigin: return "CORSMultipleAllowOriginNotAllowed"
        case .allowOriginMismatch, .preflightAllowOriginMismatch, .invalidAllowOrigin, .preflightInvalidAllowOrigin:
            return "CORSAllowOriginNotMatchingOrigin"
        case .wildcardOriginWithCredentials, .preflightWildcardOriginWithCredentials:
            return "CORSNotSupportingCredentials"
        case .methodNotAllowed: return "CORSMethodNotFound"
        case .allowCredentialsNotTrue, .preflightAllowCredentialsNotTrue: return "CORSMissingAllowCredentials"
        case .preflightInvalidStatus, .preflightNetworkError: return "CORSPreflightDidNotSucceed3"
        case .invalidAllowMethods: return "CORSInvalidAllowMethod"
        case .invalidAllowHeaders: return "CORSInvalidAllowHeader"
        case .headerNotAllowed, .authorizationNotCoveredByWildcard: return "CORSMissingAllowHeaderFromPreflight2"
        case .invalidURL, .urlHasCredentials, .forbiddenMethod, .noCORSMethodNotSafelisted,
            .noCORSRedirectModeNotFollow, .onlyIfCachedNotSameOrigin, .disallowedByMode, .redirectModeError,
            .redirectContainsCredentials,
            .tooManyRedirects, .invalidRedirectLocation, .insecureLocalNetwork, .invalidLocalNetworkAccess,
            .localNetworkAccessPermissionDenied:
            return nil
        }
    }

    /// Whether the failure concerns the preflight rather than the actual request.
    public var isPreflight: Bool {
        switch base {
        case .preflightNetworkError, .preflightRedirect, .preflightInvalidStatus, .preflightMissingAllowOrigin,
            .preflightMultipleAllowOrigin, .preflightInvalidAllowOrigin, .preflightAllowOriginMismatch,
            .preflightWildcardOriginWithCredentials, .preflightAllowCredentialsNotTrue, .invalidAllowMethods,
            .invalidAllowHeaders, .methodNotAllowed, .headerNotAllowed, .authorizationNotCoveredByWildcard:
            return true
        default:
            return false
        }
    }

    /// What went wrong, in one line.
    public var summary: String {
        switch base {
        case .invalidURL: return "The URL cannot be parsed, so fetch() throws before sending anything."
        case .urlHasCredentials: return "The URL contains a user name or password, which fetch() refuses."
        case .forbiddenMethod: return "CONNECT, TRACE and TRACK can never be sent from script."
        case .noCORSMethodNotSafelisted: return "A no-cors request may only use GET, HEAD or POST."
        case .noCORSRedirectModeNotFollow: return "A no-cors request must use redirect mode `follow`."
        case .onlyIfCachedNotSameOrigin: return "Cache mode `only-if-cached` needs mode `same-origin`."
        case .disallowedByMode: return "The request's mode is `same-origin`, but the URL is cross-origin."
        case .corsDisabledScheme: return "CORS requests are only possible to http and https URLs."
        case .preflightNetworkError: return "The preflight (OPTIONS) request got no HTTP response at all."
        case .preflightRedirect: return "The preflight was answered with a redirect, which browsers never follow."
        case .preflightInvalidStatus: return "The preflight response does not have a 2xx status."
        case .preflightMissingAllowOrigin: return "The preflight response has no Access-Control-Allow-Origin."
        case .preflightMultipleAllowOrigin:
            return "The preflight response's Access-Control-Allow-Origin holds more than one value."
        case .preflightInvalidAllowOrigin:
            return "The preflight response's Access-Control-Allow-Origin is not an origin, `*` or `null`."
        case .preflightAllowOriginMismatch:
            return "The preflight response's Access-Control-Allow-Origin names a different origin."
        case .preflightWildcardOriginWithCredentials:
            return "The preflight answered `*` to a request made with credentials."
        case .preflightAllowCredentialsNotTrue:
            return "The preflight response lacks Access-Control-Allow-Credentials: true for a credentialed request."
        case .invalidAllowMethods: return "Access-Control-Allow-Methods is not a comma-separated list of methods."
        case .invalidAllowHeaders: return "Access-Control-Allow-Headers is not a comma-separated list of names."
        case .methodNotAllowed: return "The method is not in the preflight's Access-Control-Allow-Methods."
        case .headerNotAllowed: return "A request header is not in the preflight's Access-Control-Allow-Headers."
        case .authorizationNotCoveredByWildcard:
            return "Access-Control-Allow-Headers: * never covers Authorization, and it is not listed."
        case .networkError: return "The request got no HTTP response (connection refused, reset, DNS or TLS error)."
        case .missingAllowOrigin: return "The response has no Access-Control-Allow-Origin header."
        case .multipleAllowOrigin: return "Access-Control-Allow-Origin holds more than one value."
        case .invalidAllowOrigin: return "Access-Control-Allow-Origin is not an origin, `*` or `null`."
        case .allowOriginMismatch: return "Access-Control-Allow-Origin names a different origin than the page's."
        case .wildcardOriginWithCredentials: return "The response is `*`, but the request was made with credentials."
        case .allowCredentialsNotTrue:
            return "A credentialed request needs Access-Control-Allow-Credentials: true (exactly) on the response."
        case .redirectModeError: return "The response redirects, and the request's redirect mode is `error`."
        case .redirectToNonHTTPScheme: return "The response redirects to a URL that is not http or https."
        case .redirectContainsCredentials: return "The response redirects to a URL with a user name or password."
        case .tooManyRedirects: return "The request was redirected more than 20 times."
        case .invalidRedirectLocation: return "The response's Location header is not a valid URL."
        case .corsDisabled: return "CORS is turned off in the browser's settings."
        case .originHeaderNotAdded: return "The browser could not add the Origin header."
        case .insecureLocalNetwork:
            return "A page that is not a secure context asked for a resource on the local network."
        case .invalidLocalNetworkAccess: return "The target address space does not match the one the page declared."
        case .localNetworkAccessPermissionDenied: return "The user denied this page access to the local network."
        }
    }

    /// What a developer should change.
    public var fix: String {
        switch base {
        case .invalidURL: return "Pass an absolute http(s) URL."
        case .urlHasCredentials: return "Remove `user:password@` from the URL; send credentials in a header."
        case .forbiddenMethod: return "Use another method; these are never available to script."
        case .noCORSMethodNotSafelisted: return "Use mode `cors` (the default) for other methods."
        case .noCORSRedirectModeNotFollow: return "Use redirect mode `follow`, or mode `cors`."
        case .onlyIfCachedNotSameOrigin: return "Use another cache mode, such as `force-cache`, for a CORS request."
        case .disallowedByMode: return "Use mode `cors` (the default), and make the server send CORS headers."
        case .corsDisabledScheme: return "Serve the resource (and the page) over http or https."
        case .preflightNetworkError: return "Make the server answer OPTIONS requests; check it is reachable."
        case .preflightRedirect:
            return "Call the final URL directly (watch trailing slashes, http→https and www redirects)."
        case .preflightInvalidStatus:
            return "Answer OPTIONS preflights with 204 or 200 before authentication and routing can reject them."
        case .preflightMissingAllowOrigin, .missingAllowOrigin:
            return
                "Send Access-Control-Allow-Origin with the page's origin (or `*` for public data), error responses included."
        case .preflightMultipleAllowOrigin, .multipleAllowOrigin:
            return
                "Send exactly one Access-Control-Allow-Origin value; make sure only one layer (app, proxy, CDN) adds it."
        case .preflightInvalidAllowOrigin, .invalidAllowOrigin:
            return "Send the page's origin exactly as `scheme://host[:port]`, with no path and no trailing slash."
        case .preflightAllowOriginMismatch, .allowOriginMismatch:
            return "Send the requesting page's origin (and `Vary: Origin`) when it is allowed."
        case .preflightWildcardOriginWithCredentials, .wildcardOriginWithCredentials:
            return "Echo the allowed origin instead of `*`, or make the request without credentials."
        case .preflightAllowCredentialsNotTrue, .allowCredentialsNotTrue:
            return "Send `Access-Control-Allow-Credentials: true`, or make the request without credentials."
        case .invalidAllowMethods: return "List methods separated by commas, such as `PUT, DELETE`."
        case .invalidAllowHeaders: return "List header names separated by commas, such as `content-type, x-api-key`."
        case .methodNotAllowed:
            return "Add the method to Access-Control-Allow-Methods, spelled exactly as sent (case matters)."
        case .headerNotAllowed: return "Add the header name to Access-Control-Allow-Headers."
        case .authorizationNotCoveredByWildcard: return "List `authorization` in Access-Control-Allow-Headers."
        case .networkError: return "Check the URL, that the server is up, and its TLS certificate."
        case .redirectModeError: return "Use redirect mode `follow`, or call the final URL."
        case .redirectToNonHTTPScheme: return "Redirect to an http or https URL."
        case .redirectContainsCredentials: return "Redirect to a URL without `user:password@`."
        case .tooManyRedirects: return "Break the redirect loop."
        case .invalidRedirectLocation: return "Send a valid URL in Location."
        case .corsDisabled: return "Re-enable CORS in the browser (Firefox: content.cors.disable)."
        case .originHeaderNotAdded: return "This is a browser-internal failure; retry from a normal page."
        case .insecureLocalNetwork: return "Serve the page over https to reach local-network resources."
        case .invalidLocalNetworkAccess: return "Declare the right targetAddressSpace, or none."
        case .localNetworkAccessPermissionDenied: return "Grant the page local-network access in the browser."
        }
    }
}
