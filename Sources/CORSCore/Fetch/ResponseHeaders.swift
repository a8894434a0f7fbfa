public import HTTPTypes

extension Fetch {
    /// `Set-Cookie` and `Set-Cookie2`: never readable by script, not even when exposed.
    ///
    /// https://fetch.spec.whatwg.org/#forbidden-response-header-name
    public static func isForbiddenResponseHeaderName(_ name: HTTPField.Name) -> Bool {
        name == .setCookie || name.canonicalName == "set-cookie2"
    }

    /// The response headers script may read without `Access-Control-Expose-Headers`.
    ///
    /// https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
    public static let corsSafelistedResponseHeaderNames: [HTTPField.Name] = [
        .cacheControl, .contentLanguage, .contentLength, .contentType, .expires, .lastModified,
        HTTPField.Name("Pragma")!,
    ]

    /// Whether script may read the response header `name`, given the CORS-exposed header-name list `exposed`.
    ///
    /// https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
    public static func isCORSSafelistedResponseHeaderName(
        _ name: HTTPField.Name,
        exposed: some Sequence<HTTPField.Name>
    ) -> Bool {
        if corsSafelistedResponseHeaderNames.contains(name) { return true }
        return !isForbiddenResponseHeaderName(name) && exposed.contains(name)
    }
}
