/// Byte-level helpers shared by every parser in the module.
///
/// The Fetch Standard defines its header grammar over bytes, so the parsers work on UTF-8 code units and never
/// on `Character`s: that keeps them exact (no Unicode folding) and allocation-free.
enum ASCII {
    /// RFC 9110 `tchar`: the bytes of a token (`#field-name`, `#method`).
    ///
    /// https://www.rfc-editor.org/rfc/rfc9110#name-tokens
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether `bytes` is a non-empty RFC 9110 token.
    static func isToken<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// An HTTP tab or space byte (`#http-tab-or-space-byte`).
    static func isTabOrSpace(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x20
    }

    /// An HTTP whitespace byte (`#http-whitespace-byte`): tab, LF, CR or space.
    static func isHTTPWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x20
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isAlpha(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
    }

    static func isUpper(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        isUpper(byte) ? byte | 0x20 : byte
    }

    /// Byte-case-insensitive equality (`#byte-case-insensitive`).
    static func equalsIgnoringCase<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// The same for two strings' UTF-8, compared over their contiguous bytes: a zipped walk of two
    /// `String.UTF8View`s costs several times more than the comparison.
    static func equalsIgnoringCase(_ a: String.UTF8View, _ b: String.UTF8View) -> Bool {
        guard a.count == b.count else { return false }
        let contiguous = a.withContiguousStorageIfAvailable { a in
            b.withContiguousStorageIfAvailable { b in
                (0..<a.count).allSatisfy { lowercased(a[$0]) == lowercased(b[$0]) }
            }
        }
        if let contiguous, let equal = contiguous { return equal }
        return zip(a, b).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// Whether `text` starts with `prefix`, which must be lowercase, in any case.
    static func hasPrefixIgnoringCase(_ text: some Collection<UInt8>, _ prefix: some Collection<UInt8>) -> Bool {
        text.count >= prefix.count && zip(text, prefix).allSatisfy { lowercased($0) == $1 }
    }

    /// Compares `a` byte-lowercased with `b`, which must already be lowercase; the order is byte order.
    static func compareLowercased(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        for index in 0..<min(a.count, b.count) {
            let x = lowercased(a[index])
            let y = b[index]
            if x != y { return x < y ? -1 : 1 }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Returns `bytes` without leading and trailing bytes that satisfy `isTrimmed`.
    static func trimming(_ text: Substring, where isTrimmed: (UInt8) -> Bool) -> Substring {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !isTrimmed($0) }) else {
            return text[text.endIndex...]
        }
        let last = utf8.lastIndex(where: { !isTrimmed($0) })!
        return text[first...last]
    }

    /// The ASCII-lowercased copy of `text`; non-ASCII bytes are kept as they are.
    static func lowercased(_ text: some StringProtocol) -> String {
        guard text.utf8.contains(where: isUpper) else { return String(text) }
        return String(decoding: text.utf8.map(lowercased), as: UTF8.self)
    }

    /// Percent-decodes the `%XX` sequences whose decoded byte satisfies `shouldDecode`; everything else, malformed
    /// sequences included, is kept as written (URL Standard, "percent-decode").
    static func percentDecode(_ text: Substring, where shouldDecode: (UInt8) -> Bool = { _ in true }) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            var copy = iterator
            if byte == UInt8(ascii: "%"), let high = copy.next().flatMap(ASCII.hexValue),
                let low = copy.next().flatMap(ASCII.hexValue), shouldDecode(UInt8(high << 4 | low))
            {
                bytes.append(UInt8(high << 4 | low))
                iterator = copy
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing tabs and spaces (`#http-tab-or-space`): how the project's modules read
    /// header-like text (a `-H` option, a cookie pair, a list element).
    package var trimmingTabsAndSpaces: Substring {
        ASCII.trimming(Substring(self), where: ASCII.isTabOrSpace)
    }
}
