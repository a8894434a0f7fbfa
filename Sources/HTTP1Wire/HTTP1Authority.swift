package import HTTPTypes

/// The syntax of `Host` and of an absolute-form target's authority (RFC 9112 §3.2, RFC 3986 §3.2.2): `uri-host
/// [ ":" port ]`, where the host is an IP literal in brackets or a reg-name.
///
/// A valid authority has no quote, backslash, space, comma or semicolon, so it can never break out of a header it is
/// copied into (`Forwarded: host="…"`, `X-Forwarded-Host`).
package enum HTTP1Authority {
    /// `Host`, which HTTPTypes keeps out of field lists (as `authority`) and so does not name.
    package static let host = HTTPField.Name("Host")!

    package static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var host = bytes[...]
        var port = bytes[bytes.endIndex...]
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = host[host.index(after: host.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy(isIPLiteralByte) else { return false }
            let after = host.index(after: close)
            host = host[..<after]
            port = bytes[after...]
            guard port.isEmpty || port.first == UInt8(ascii: ":") else { return false }
        } else if let colon = host.firstIndex(of: UInt8(ascii: ":")) {
            port = bytes[colon...]
            host = host[..<colon]
            guard host.allSatisfy(isRegNameByte) else { return false }
        } else {
            guard host.allSatisfy(isRegNameByte) else { return false }
        }
        guard !port.isEmpty else { return true }
        let digits = port.dropFirst()
        return digits.count <= 5 && digits.allSatisfy(Byte.isDigit)
    }

    /// `unreserved / pct-encoded / sub-delims` without `,` and `;`, which no real host has and which are list and
    /// parameter separators in `Forwarded`.
    private static func isRegNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"), UInt8(ascii: "%"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    private static func isIPLiteralByte(_ byte: UInt8) -> Bool {
        Byte.hexValue(byte) != nil || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
    }
}
