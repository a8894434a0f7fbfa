public import HTTPTypes

extension Fetch {
    /// The most bytes a CORS-safelisted request-header value may have.
    static let safelistedValueLimit = 128
    /// The most bytes all CORS-safelisted request-header values of one request may have together.
    static let safelistedTotalLimit = 1024

    /// Whether `(name, value)` is a CORS-safelisted request-header: a header script may set on a cross-origin
    /// request without a preflight.
    ///
    /// https://fetch.spec.whatwg.org/#cors-safelisted-request-header
    public static func isCORSSafelistedRequestHeader(name: HTTPField.Name, value: some StringProtocol) -> Bool {
        let bytes = value.utf8
        guard bytes.count <= safelistedValueLimit else { return false }
        switch name.canonicalName {
        case "accept":
            return !bytes.contains(where: isCORSUnsafeRequestHeaderByte)
        case "accept-language", "content-language":
            return bytes.allSatisfy(isLanguageByte)
        case "content-type":
            guard !bytes.contains(where: isCORSUnsafeRequestHeaderByte),
                let essence = MIMEType.essence(of: Substring(value))
            else { return false }
            return essence == "application/x-www-form-urlencoded" || essence == "multipart/form-data"
                || essence == "text/plain"
        case "range":
            guard let range = RangeHeader.parse(Substring(value)) else { return false }
            return range.start != nil
        default:
            return false
        }
    }

    /// A byte that keeps `Accept` and `Content-Type` values off the safelist.
    ///
    /// https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
    package static func isCORSUnsafeRequestHeaderByte(_ byte: UInt8) -> Bool {
        if byte < 0x20 { return byte != 0x09 }
        switch byte {
        case 0x22, 0x28, 0x29, 0x3A, 0x3C, 0x3E, 0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0x7F: return true
        default: return false
        }
    }

    private static func isLanguageByte(_ byte: UInt8) -> Bool {
        if ASCII.isAlpha(byte) || ASCII.isDigit(byte) { return true }
        switch byte {
        case 0x20, 0x2A, 0x2C, 0x2D, 0x2E, 0x3B, 0x3D: return true
        default: return false
        }
    }

    /// The names of the headers in `fields` that make a request need a preflight: byte-lowercased, deduplicated and
    /// sorted by byte. Safelisted headers count too once their values exceed 1,024 bytes together.
    ///
    /// https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names
    package static func corsUnsafeRequestHeaderNames(_ fields: HTTPFields) -> [String] {
        var unsafeNames: [String] = []
        var potentiallyUnsafeNames: [String] = []
        var safelistValueSize = 0
        for field in fields {
            if isCORSSafelistedRequestHeader(name: field.name, value: field.value) {
                potentiallyUnsafeNames.append(field.name.canonicalName)
                safelistValueSize += field.value.utf8.count
            } else {
                unsafeNames.append(field.name.canonicalName)
            }
        }
        if safelistValueSize > safelistedTotalLimit { unsafeNames += potentiallyUnsafeNames }
        return sortedLowercaseSet(unsafeNames)
    }

    /// Byte-lowercases, deduplicates and byte-sorts header names.
    ///
    /// https://fetch.spec.whatwg.org/#convert-header-names-to-a-sorted-lowercase-set
    package static func sortedLowercaseSet(_ names: some Sequence<String>) -> [String] {
        Set(names.map { ASCII.lowercased($0) }).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether `(name, value)` is a forbidden request-header: one that script cannot set, so a browser never sends
    /// a value chosen by a page.
    ///
    /// https://fetch.spec.whatwg.org/#forbidden-request-header
    public static func isForbiddenRequestHeader(name: HTTPField.Name, value: some StringProtocol) -> Bool {
        let lower = name.canonicalName
        if forbiddenRequestHeaderNames.contains(lower) || lower.hasPrefix("proxy-") || lower.hasPrefix("sec-") {
            return true
        }
        if lower == "x-http-method" || lower == "x-http-method-override" || lower == "x-method-override" {
            return getDecodeSplit(Substring(value)).contains { HTTPRequest.Method.isForbidden($0.utf8) }
        }
        return false
    }

    /// Whether a name is on the forbidden request-header list, without the value-dependent method-override rule.
    ///
    /// The server policy uses this: a name a browser never lets script send cannot be usefully allowed.
    package static func isForbiddenRequestHeaderName(_ name: HTTPField.Name) -> Bool {
        let lower = name.canonicalName
        return forbiddenRequestHeaderNames.contains(lower) || lower.hasPrefix("proxy-") || lower.hasPrefix("sec-")
    }

    /// https://fetch.spec.whatwg.org/#forbidden-request-header
    static let forbiddenRequestHeaderNames: Set<String> = [
        "accept-charset", "accept-encoding", "access-control-request-headers", "access-control-request-method",
        // Not in the Fetch list but forbidden by Private Network Access, and dropped by every engine (WPT).
        "access-control-request-private-network",
        "connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive", "origin",
        "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "via",
    ]

    /// Whether `name` is `Authorization`, the one name that `Access-Control-Allow-Headers: *` never covers.
    ///
    /// https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name
    package static func isCORSNonWildcardRequestHeaderName(_ name: HTTPField.Name) -> Bool {
        name == .authorization
    }

    /// `Accept`, `Accept-Language`, `Content-Language` and `Content-Type`.
    ///
    /// https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name
    package static func isNoCORSSafelistedRequestHeaderName(_ name: HTTPField.Name) -> Bool {
        name == .accept || name == .acceptLanguage || name == .contentLanguage || name == .contentType
    }

    /// A no-CORS-safelisted name whose value is CORS-safelisted: what a `no-cors` request may carry.
    ///
    /// https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header
    package static func isNoCORSSafelistedRequestHeader(name: HTTPField.Name, value: some StringProtocol) -> Bool {
        isNoCORSSafelistedRequestHeaderName(name) && isCORSSafelistedRequestHeader(name: name, value: value)
    }

    /// `Range`, which only privileged code may set on a `no-cors` request.
    ///
    /// https://fetch.spec.whatwg.org/#privileged-no-cors-request-header-name
    package static func isPrivilegedNoCORSRequestHeaderName(_ name: HTTPField.Name) -> Bool {
        name == .range
    }

    /// The headers removed when a redirect turns a request into a `GET` without a body.
    ///
    /// https://fetch.spec.whatwg.org/#request-body-header-name
    package static func isRequestBodyHeaderName(_ name: HTTPField.Name) -> Bool {
        name == .contentEncoding || name == .contentLanguage || name == .contentLocation || name == .contentType
    }

    /// Fetch's "get, decode, and split" over one value: comma-separated, quoted strings kept whole (quotes
    /// included), tab and space trimmed.
    ///
    /// https://fetch.spec.whatwg.org/#header-value-get-decode-and-split
    static func getDecodeSplit(_ input: Substring) -> [Substring] {
        let bytes = input.utf8
        var values: [Substring] = []
        var position = bytes.startIndex
        var start = position
        while true {
            while position < bytes.endIndex, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: ",")
            {
                position = bytes.index(after: position)
            }
            if position < bytes.endIndex, bytes[position] == UInt8(ascii: "\"") {
                position = skipQuotedString(bytes, from: position)
                if position < bytes.endIndex { continue }
            }
            values.append(ASCII.trimming(input[start..<position], where: ASCII.isTabOrSpace))
            guard position < bytes.endIndex else { return values }
            position = bytes.index(after: position)
            start = position
        }
    }

    /// Skips an HTTP quoted string starting at the `"` at `start`; returns the index after it (or the end).
    ///
    /// https://fetch.spec.whatwg.org/#collect-an-http-quoted-string
    private static func skipQuotedString(_ bytes: Substring.UTF8View, from start: Substring.UTF8View.Index)
        -> Substring.UTF8View.Index
    {
        var position = bytes.index(after: start)
        while position < bytes.endIndex {
            let byte = bytes[position]
            position = bytes.index(after: position)
            if byte == UInt8(ascii: "\\") {
                if position < bytes.endIndex { position = bytes.index(after: position) }
            } else if byte == UInt8(ascii: "\"") {
                return position
            }
        }
        return position
    }
}
