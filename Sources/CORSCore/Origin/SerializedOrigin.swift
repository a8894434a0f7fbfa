/// A strict reader of the `Origin` request header: it accepts exactly the serializations a browser produces and
/// nothing else, and it reads them without allocating.
///
/// Fetch's grammar is `origin-or-null = serialized-origin / %s"null"` with a lowercase scheme, a lowercase host
/// (dotted-quad IPv4, RFC 5952 IPv6 in brackets or a domain) and an optional port. Because a browser sends the
/// canonical serialization, anything else (uppercase, a default port, `0x7f.1`, a trailing `/`, two values joined by
/// a comma) cannot come from a browser and is rejected, which keeps string comparison of origins sound.
///
/// https://fetch.spec.whatwg.org/#origin-header
struct SerializedOrigin {
    /// The longest header value accepted: a 64-byte scheme, `://`, a 253-byte host and `:65535`.
    static let maximumLength = 326

    enum HostKind { case domain, ipv4, ipv6 }

    /// The header value's bytes; valid only inside the closure of ``parse(_:_:)``, which is why a parsed origin is
    /// never stored.
    let bytes: UnsafeBufferPointer<UInt8>
    private let schemeEnd: Int
    private let hostStart: Int
    private let hostEnd: Int
    let hostKind: HostKind
    /// The explicit port; never the scheme's default.
    let port: Int?

    var scheme: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[..<schemeEnd]) }
    var host: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[hostStart..<hostEnd]) }

    /// The port a connection to this origin uses.
    var effectivePort: Int? {
        port ?? Origin.defaultPort(forSchemeBytes: scheme)
    }

    /// Parses `value` (a tuple origin's serialization) and hands the result to `body`: `nil` for `null` and anything
    /// non-canonical. Nothing is copied unless `value` is not contiguous UTF-8.
    static func parse<Result>(_ value: some StringProtocol, _ body: (SerializedOrigin?) -> Result) -> Result {
        let utf8 = value.utf8
        guard utf8.count <= maximumLength else { return body(nil) }
        return utf8.withContiguousStorageIfAvailable { body(SerializedOrigin($0)) }
            ?? Array(utf8).withUnsafeBufferPointer { body(SerializedOrigin($0)) }
    }

    /// Whether `value` is a canonical serialized origin.
    static func isValid(_ value: some StringProtocol) -> Bool {
        parse(value) { $0 != nil }
    }

    private init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let first = bytes.first, ASCII.isAlpha(first), !ASCII.isUpper(first) else { return nil }
        var schemeEnd = 1
        while schemeEnd < bytes.count, Self.isSchemeByte(bytes[schemeEnd]) { schemeEnd += 1 }
        guard schemeEnd + 3 <= bytes.count, bytes[schemeEnd] == UInt8(ascii: ":"),
            bytes[schemeEnd + 1] == UInt8(ascii: "/"), bytes[schemeEnd + 2] == UInt8(ascii: "/")
        else { return nil }
        let hostStart = schemeEnd + 3
        var hostEnd = hostStart
        if hostStart < bytes.count, bytes[hostStart] == UInt8(ascii: "[") {
            while hostEnd < bytes.count, bytes[hostEnd] != UInt8(ascii: "]") { hostEnd += 1 }
            guard hostEnd < bytes.count else { return nil }
            hostEnd += 1
            let address = String(decoding: bytes[(hostStart + 1)..<(hostEnd - 1)], as: UTF8.self)
            guard Self.isCanonicalIPv6(address[...]) else { return nil }
            hostKind = .ipv6
        } else {
            while hostEnd < bytes.count, bytes[hostEnd] != UInt8(ascii: ":") { hostEnd += 1 }
            guard let kind = Self.checkDomainOrIPv4(UnsafeBufferPointer(rebasing: bytes[hostStart..<hostEnd])) else {
                return nil
            }
            hostKind = kind
        }
        self.bytes = bytes
        self.schemeEnd = schemeEnd
        self.hostStart = hostStart
        self.hostEnd = hostEnd
        guard hostEnd < bytes.count else {
            port = nil
            return
        }
        guard bytes[hostEnd] == UInt8(ascii: ":") else { return nil }
        let digits = bytes[(hostEnd + 1)...]
        guard (1...5).contains(digits.count), digits.first != UInt8(ascii: "0"), digits.allSatisfy(ASCII.isDigit)
        else { return nil }
        let number = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard number <= 65535 else { return nil }
        port = number
        // A browser never writes the scheme's default port.
        if number == Origin.defaultPort(forSchemeBytes: UnsafeBufferPointer(rebasing: bytes[..<schemeEnd])) {
            return nil
        }
    }

    /// RFC 3986 scheme bytes, lowercase only.
    static func isSchemeByte(_ byte: UInt8) -> Bool {
        (ASCII.isAlpha(byte) && !ASCII.isUpper(byte)) || ASCII.isDigit(byte) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// A lowercase host byte: RFC 3986 unreserved and sub-delims, without `,` (the list separator): lowercase
    /// letters, digits and `-._~!$&'()*+;=`, as one bit per byte below 128.
    static func isDomainByte(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x2BFF_6FD2_0000_0000
        let high: UInt64 = 0x47FF_FFFE_8000_0000
        return byte < 64 ? (low >> byte) & 1 == 1 : byte < 128 && (high >> (byte - 64)) & 1 == 1
    }

    /// A domain with non-empty labels, or a canonical dotted-quad IPv4 address when the host ends in a number; one
    /// pass over the bytes.
    private static func checkDomainOrIPv4(_ host: UnsafeBufferPointer<UInt8>) -> HostKind? {
        guard !host.isEmpty, host.count <= 253 else { return nil }
        var labels = 0
        var isCanonicalQuad = true
        var labelStart = 0
        var number = 0
        var allDigits = true
        for index in 0...host.count {
            if index == host.count || host[index] == UInt8(ascii: ".") {
                let length = index - labelStart
                guard length > 0 else { return nil }
                labels += 1
                let isOctet =
                    allDigits && length <= 3 && (length == 1 || host[labelStart] != UInt8(ascii: "0")) && number <= 255
                isCanonicalQuad = isCanonicalQuad && isOctet
                if index < host.count {
                    labelStart = index + 1
                    number = 0
                    allDigits = true
                }
                continue
            }
            let byte = host[index]
            guard isDomainByte(byte) else { return nil }
            if ASCII.isDigit(byte) {
                number = min(number * 10 + Int(byte &- UInt8(ascii: "0")), 1000)
            } else {
                allDigits = false
            }
        }
        // A last label `0x…` is a hexadecimal number to a URL parser (https://url.spec.whatwg.org/#ends-in-a-number-checker).
        let lastLabel = host[labelStart...]
        let endsInNumber =
            allDigits
            || (lastLabel.count >= 2 && host[labelStart] == UInt8(ascii: "0")
                && host[labelStart + 1] == UInt8(ascii: "x")
                && lastLabel.dropFirst(2).allSatisfy { ASCII.hexValue($0) != nil })
        guard endsInNumber else { return .domain }
        return isCanonicalQuad && labels == 4 ? .ipv4 : nil
    }

    private static func isCanonicalIPv6(_ text: Substring) -> Bool {
        guard text.utf8.count <= 39, let pieces = HostParser.parseIPv6(text) else { return false }
        return Origin.Host.serializeIPv6(pieces) == text
    }
}

extension Origin {
    /// Parses the value of an `Origin` request header.
    ///
    /// `null` gives a new opaque origin. Anything that is not a browser's canonical serialization gives `nil`:
    /// uppercase, a default port, a trailing `/`, a path, or two origins joined by a comma.
    ///
    /// https://fetch.spec.whatwg.org/#origin-header
    public init?(headerValue: some StringProtocol) {
        if headerValue == "null" {
            self = .opaque()
            return
        }
        let parts = SerializedOrigin.parse(headerValue) { parsed in
            parsed.map {
                (
                    scheme: String(decoding: $0.scheme, as: UTF8.self), host: String(decoding: $0.host, as: UTF8.self),
                    kind: $0.hostKind, port: $0.port
                )
            }
        }
        guard let parts else { return nil }
        let host: Origin.Host
        switch parts.kind {
        case .domain:
            host = .domain(parts.host)
        case .ipv4:
            guard let address = HostParser.parseIPv4(parts.host[...]) else { return nil }
            host = .ipv4(address)
        case .ipv6:
            guard let pieces = HostParser.parseIPv6(parts.host.dropFirst().dropLast()) else { return nil }
            host = .ipv6(pieces)
        }
        self.init(scheme: parts.scheme, host: host, port: parts.port)
    }
}
