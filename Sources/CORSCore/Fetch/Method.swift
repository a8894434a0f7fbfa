public import HTTPTypes

/// The Fetch Standard's rules for request methods.
///
/// https://fetch.spec.whatwg.org/#methods
extension HTTPRequest.Method {
    /// The method after Fetch's normalization: a byte-case-insensitive match for `DELETE`, `GET`, `HEAD`, `OPTIONS`,
    /// `POST` or `PUT` is uppercased; every other method, `patch` included, keeps its case.
    ///
    /// https://fetch.spec.whatwg.org/#concept-method-normalize
    public var normalized: HTTPRequest.Method {
        for method in Self.normalizedNames where ASCII.equalsIgnoringCase(rawValue.utf8, method.rawValue.utf8) {
            return method
        }
        return self
    }

    /// `GET`, `HEAD` or `POST`, compared byte for byte: the methods a page may use without a preflight.
    ///
    /// https://fetch.spec.whatwg.org/#cors-safelisted-method
    public var isCORSSafelisted: Bool {
        self == .get || self == .head || self == .post
    }

    /// `CONNECT`, `TRACE` or `TRACK` in any case: methods script can never use.
    ///
    /// https://fetch.spec.whatwg.org/#forbidden-method
    public var isForbidden: Bool {
        Self.isForbidden(rawValue.utf8)
    }

    static func isForbidden<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        ASCII.equalsIgnoringCase(bytes, "CONNECT".utf8) || ASCII.equalsIgnoringCase(bytes, "TRACE".utf8)
            || ASCII.equalsIgnoringCase(bytes, "TRACK".utf8)
    }

    private static let normalizedNames: [HTTPRequest.Method] = [.delete, .get, .head, .options, .post, .put]
}
