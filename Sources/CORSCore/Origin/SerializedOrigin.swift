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

    let value: Substring
    let scheme: Substring
    let host: Substring
    let hostKind: HostKind
    /// The explicit port; never the scheme's default.
    let port: Int?

    /// The port a connection to this origin uses.
    var effectivePort: Int? {
        port ?? Origin.defaultPort(forScheme: scheme)
    }

    /// Parses a tuple origin's serialization; `null` and anything non-canonical give `nil`.
    init?(_ value: Substring) {
        let bytes = value.utf8
        guard bytes.count <= Self.maximumLength, let first = bytes.first, ASCII.isAlpha(first), !ASCII.isUpper(first)
        else { return nil }
        guard let schemeEnd = bytes.firstIndex(where: { !Self.isSchemeByte($0) }),
            bytes[schemeEnd...].starts(with: "://".utf8)
        else { return nil }
        let hostStart = bytes.index(schemeEnd, offsetBy: 3)
        let hostEnd: Substring.UTF8View.Index
        let kind: HostKind
        if hostStart < bytes.endIndex, bytes[hostStart] == UInt8(ascii: "[") {
            guard let close = bytes[hostStart...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostEnd = bytes.index(after: close)
            guard Self.isCanonicalIPv6(value[bytes.index(after: hostStart)..<close]) else { return nil }
            kind = .ipv6
        } else {
            hostEnd = bytes[hostStart...].firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex
            guard let domainKind = Self.checkDomainOrIPv4(value[hostStart..<hostEnd]) else { return nil }
            kind = domainKind
        }
        var port: Int?
        if hostEnd < bytes.endIndex {
            guard bytes[hostEnd] == UInt8(ascii: ":") else { return nil }
            let digits = bytes[bytes.index(after: hostEnd)...]
            guard (1...5).contains(digits.count), digits.first != UInt8(ascii: "0"),
                digits.allSatisfy(ASCII.isDigit)
            else { return nil }
            let number = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard number <= 65535 else { return nil }
            port = number
        }
        self.value = value
        self.scheme = value[..<schemeEnd]
        self.host = value[hostStart..<hostEnd]
        self.hostKind = kind
        self.port = port
        if let port, port == Origin.defaultPort(forScheme: scheme) { return nil }
    }

    /// RFC 3986 scheme bytes, lowercase only.
    static func isSchemeByte(_ byte: UInt8) -> Bool {
        (ASCII.isAlpha(byte) && !ASCII.isUpper(byte)) || ASCII.isDigit(byte) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// A lowercase host byte: RFC 3986 unreserved and sub-delims, without `,` (the list separator).
    static func isDomainByte(_ byte: UInt8) -> Bool {
        if ASCII.isDigit(byte) || (ASCII.isAlpha(byte) && !ASCII.isUpper(byte)) { return true }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
            UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// A domain with non-empty labels, or a canonical dotted-quad IPv4 address when the host ends in a number.
    private static func checkDomainOrIPv4(_ host: Substring) -> HostKind? {
        let bytes = host.utf8
        guard !bytes.isEmpty, bytes.count <= 253, bytes.allSatisfy(isDomainByte) else { return nil }
        var labels = 0
        var lastLabel = bytes[...]
        var isCanonicalQuad = true
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty else { return nil }
            labels += 1
            lastLabel = label
            let isOctet =
                label.count <= 3 && label.allSatisfy(ASCII.isDigit)
                && (label.count == 1 || label.first != UInt8(ascii: "0"))
                && label.reduce(0, { $0 * 10 + Int($1 - UInt8(ascii: "0")) }) <= 255
            isCanonicalQuad = isCanonicalQuad && isOctet
        }
        let endsInNumber =
            lastLabel.allSatisfy(ASCII.isDigit)
            || (lastLabel.starts(with: "0x".utf8)
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
        guard let parsed = SerializedOrigin(Substring(headerValue)) else { return nil }
        let host: Origin.Host
        switch parsed.hostKind {
        case .domain:
            host = .domain(String(parsed.host))
        case .ipv4:
            guard let address = HostParser.parseIPv4(parsed.host) else { return nil }
            host = .ipv4(address)
        case .ipv6:
            guard let pieces = HostParser.parseIPv6(parsed.host.dropFirst().dropLast()) else { return nil }
            host = .ipv6(pieces)
        }
        self.init(scheme: String(parsed.scheme), host: host, port: parsed.port)
    }
}
