/// The bytes of RFC 9110's grammar that the parser and serializer test.
enum Byte {
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let colon = UInt8(ascii: ":")
    static let hash = UInt8(ascii: "#")

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The byte with an ASCII capital letter made small: names and tokens are compared without regard to case.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Whether `bytes` are `lowercase` in any ASCII case (RFC 9110 §5.1, §5.6.2). Byte for byte: a non-ASCII
    /// character matches nothing, whatever Unicode's case mapping would make of it.
    static func equalsLowercase(_ bytes: some Collection<UInt8>, _ lowercase: some Collection<UInt8>) -> Bool {
        bytes.count == lowercase.count && zip(bytes, lowercase).allSatisfy { lowercased($0) == $1 }
    }

    /// `SP` or `HTAB`: the optional whitespace (`OWS`, RFC 9110 §5.6.3) around list elements and field values.
    static func isSpaceOrTab(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// Calls `body` with each element of the comma-separated list (RFC 9110 §5.6.1) in `bytes`, trimmed of spaces
    /// and tabs, empty ones included. Bytes, not characters: the delimiter is the octet `,`, found without forming
    /// a character.
    static func forEachListElement<Bytes: BidirectionalCollection<UInt8>, E: Error>(
        in bytes: Bytes, _ body: (Bytes.SubSequence) throws(E) -> Void
    ) throws(E) {
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            var first = start
            var last = end
            while first < last, isSpaceOrTab(bytes[first]) { bytes.formIndex(after: &first) }
            while last > first, isSpaceOrTab(bytes[bytes.index(before: last)]) { bytes.formIndex(before: &last) }
            try body(bytes[first..<last])
            guard end < bytes.endIndex else { return }
            start = bytes.index(after: end)
        }
    }

    /// `tchar` (RFC 9110 §5.6.2).
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A byte of `field-value` (RFC 9110 §5.5): HTAB, SP, VCHAR or obs-text — never CR, LF, NUL, DEL or another
    /// control character.
    static func isFieldValue(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// The value of 1 to 18 decimal digits (a `Content-Length` element, RFC 9110 §8.6); `nil` for anything else,
    /// signs and spaces included.
    static func decimalValue(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// The value of a hexadecimal digit.
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
