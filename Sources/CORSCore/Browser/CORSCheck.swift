package import HTTPTypes

/// The CORS check: may a page on an origin read this response?
///
/// https://fetch.spec.whatwg.org/#cors-check
///
/// The verdict is the spec's; the classification of a failure follows Chromium's order (`CheckAccess`), so the
/// reported reason is the one a developer sees in DevTools.
package enum CORSCheck {
    /// `nil` when the response passes; otherwise why not (the non-preflight form of the failure).
    ///
    /// - Parameters:
    ///   - fields: the response's header fields as received.
    ///   - serializedOrigin: the request's origin, byte-serialized (`null` when redirect-tainted or opaque).
    ///   - credentials: whether the request's credentials mode is `include`.
    package static func check(_ fields: HTTPFields, serializedOrigin: String, credentials: Bool) -> CORSFailure? {
        guard let allowOrigin = fields[.accessControlAllowOrigin] else { return .missingAllowOrigin }
        if allowOrigin == "*" {
            if credentials { return .wildcardOriginWithCredentials }
        } else if allowOrigin != serializedOrigin {
            if allowOrigin.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") }) {
                return .multipleAllowOrigin
            }
            if allowOrigin == "null" || (try? Origin(url: allowOrigin)) != nil { return .allowOriginMismatch }
            return .invalidAllowOrigin
        }
        if credentials, fields[.accessControlAllowCredentials] != "true" { return .allowCredentialsNotTrue }
        return nil
    }
}

extension CORSFailure {
    /// The same CORS-check failure, reported for a preflight response.
    var preflightTwin: CORSFailure {
        switch self {
        case .missingAllowOrigin: return .preflightMissingAllowOrigin
        case .multipleAllowOrigin: return .preflightMultipleAllowOrigin
        case .invalidAllowOrigin: return .preflightInvalidAllowOrigin
        case .allowOriginMismatch: return .preflightAllowOriginMismatch
        case .wildcardOriginWithCredentials: return .preflightWildcardOriginWithCredentials
        case .allowCredentialsNotTrue: return .preflightAllowCredentialsNotTrue
        default: return self
        }
    }
}
