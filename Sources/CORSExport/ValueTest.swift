/// A test of one whole request value (a field's value or the request target) that an edge server can run: the value
/// matches `pattern` from start to end, is at most `maximumLength` bytes long, and matches none of `excluding` at its
/// start.
///
/// Edge servers differ in their regular expressions: nginx has PCRE (lookahead, so one expression holds the whole
/// test), Caddy has Go's RE2 (no lookahead, repeat counts up to 1000), so the parts are kept apart until a target
/// writes them.
package struct ValueTest: Sendable, Equatable {
    /// The expression the whole value must match, without anchors.
    package var pattern: String
    /// The longest value that passes, in bytes.
    package var maximumLength: Int?
    /// Expressions that must not match at the start of the value (anchored there by the writer).
    package var excluding: [String] = []

    /// The test as one PCRE expression, anchored, after `prefix` (an escaped literal).
    package func pcre(after prefix: String = "") -> String {
        var expression = "^" + prefix
        if let maximumLength { expression += "(?=.{0,\(maximumLength)}$)" }
        for exclusion in excluding { expression += "(?!\(exclusion))" }
        return expression + "(?:\(pattern))$"
    }
}

/// The pieces the tests are written with, in the syntax PCRE and RE2 share.
package enum EdgeRegex {
    /// `text` with every character that means something in a regular expression escaped. A backslash and a backquote
    /// are written `\x5c` and `\x60`, so that the expression survives nginx's quoted strings (which unescape `\\`)
    /// and Caddyfile's backquoted tokens.
    package static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\":
                escaped += "\\x5c"
            case "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}":
                escaped += "\\" + String(character)
            case "`":
                escaped += "\\x60"
            default:
                escaped.append(character)
            }
        }
        return escaped
    }

    /// An HTTP token byte (RFC 9110 `tchar`).
    static let tokenCharacter = #"[!#$%&'*+.^_\x60|~0-9A-Za-z-]"#

    /// Optional white space (space or tab), as list parsers trim it.
    static let whiteSpace = "[ \\t]*"

    /// `names`, escaped, as alternatives compared without regard to case.
    static func caseInsensitive(_ names: [String]) -> String {
        "(?i:" + names.map(escape).joined(separator: "|") + ")"
    }

    /// The canonical decimal numbers from `low` to `high` (no leading zero), as one expression.
    package static func decimalRange(_ low: Int, _ high: Int) -> String {
        guard low <= high else { return "(?!)" }
        var alternatives: [String] = []
        var start = low
        while start <= high {
            let digits = String(start).count
            let end = min(high, Int(pow10(digits)) - 1)
            alternatives += sameLength(Array(String(start).utf8), Array(String(end).utf8))
            start = end + 1
        }
        return alternatives.count == 1 ? alternatives[0] : "(?:" + alternatives.joined(separator: "|") + ")"
    }

    /// The numbers between two digit strings of one length, as alternatives.
    private static func sameLength(_ low: [UInt8], _ high: [UInt8]) -> [String] {
        func digit(_ byte: UInt8) -> String { String(UnicodeScalar(byte)) }
        func span(_ a: UInt8, _ b: UInt8) -> String { a == b ? digit(a) : "[\(digit(a))-\(digit(b))]" }
        guard low.count > 1 else { return [span(low[0], high[0])] }
        let (lowRest, highRest) = (Array(low.dropFirst()), Array(high.dropFirst()))
        if low[0] == high[0] {
            return sameLength(lowRest, highRest).map { digit(low[0]) + $0 }
        }
        let any = String(repeating: "[0-9]", count: lowRest.count)
        let lowIsZeros = lowRest.allSatisfy { $0 == UInt8(ascii: "0") }
        let highIsNines = highRest.allSatisfy { $0 == UInt8(ascii: "9") }
        var result: [String] = []
        var (first, last) = (low[0], high[0])
        if !lowIsZeros {
            result += sameLength(lowRest, Array(repeating: UInt8(ascii: "9"), count: lowRest.count)).map {
                digit(low[0]) + $0
            }
            first += 1
        }
        if !highIsNines { last -= 1 }
        if first <= last { result.append(span(first, last) + any) }
        if !highIsNines {
            result += sameLength(Array(repeating: UInt8(ascii: "0"), count: lowRest.count), highRest).map {
                digit(high[0]) + $0
            }
        }
        return result
    }

    private static func pow10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}
