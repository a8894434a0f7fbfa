/// Fetch's "parse a single range header value" with whitespace disallowed, as the safelist uses it.
///
/// https://fetch.spec.whatwg.org/#simple-range-header-value
enum RangeHeader {
    /// A parsed `bytes=start-end` value; either bound may be absent, not both.
    struct Value: Hashable {
        var start: Substring?
        var end: Substring?
    }

    static func parse(_ value: Substring) -> Value? {
        let bytes = value.utf8
        var position = bytes.startIndex
        func collect(_ predicate: (UInt8) -> Bool) -> Substring {
            let start = position
            while position < bytes.endIndex, predicate(bytes[position]) { position = bytes.index(after: position) }
            return value[start..<position]
        }
        let type = collect(ASCII.isAlpha)
        guard ASCII.equalsIgnoringCase(type.utf8, "bytes".utf8) else { return nil }
        guard position < bytes.endIndex, bytes[position] == UInt8(ascii: "=") else { return nil }
        position = bytes.index(after: position)
        let start = collect(ASCII.isDigit)
        guard position < bytes.endIndex, bytes[position] == UInt8(ascii: "-") else { return nil }
        position = bytes.index(after: position)
        let end = collect(ASCII.isDigit)
        guard position == bytes.endIndex else { return nil }
        if start.isEmpty && end.isEmpty { return nil }
        if !start.isEmpty, !end.isEmpty, compareDecimal(start, end) > 0 { return nil }
        return Value(start: start.isEmpty ? nil : start, end: end.isEmpty ? nil : end)
    }

    /// Compares two strings of ASCII digits as numbers of any size.
    private static func compareDecimal(_ a: Substring, _ b: Substring) -> Int {
        let x = a.utf8.drop(while: { $0 == UInt8(ascii: "0") })
        let y = b.utf8.drop(while: { $0 == UInt8(ascii: "0") })
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return 0
    }
}
