/// A pasted command line split into words as the shell it was copied for would split it — without running anything.
///
/// Two dialects, the ones browsers' "Copy as cURL" menus write:
/// - **bash** (Chromium's "Copy as cURL (bash)", Firefox's "Copy as cURL (POSIX)"): `'…'`, `$'…'` (ANSI-C escapes
///   `\n \r \t \\ \' \xHH \uHHHH`), `"…"`, backslash escapes and `\`-newline continuations.
/// - **cmd** (Chromium's "Copy as cURL (cmd)", Firefox's "Copy as cURL (Windows)"): `^` escapes and `^`-newline
///   continuations as cmd.exe reads them, then `"…"` quoting with `\"` and `""` for a quote, as the C runtime reads
///   them; `\\` is one backslash, which undoes the doubling both browsers apply.
///
/// Shell syntax that would run something else (`;`, `|`, `&`, redirections, `$(…)`, backquotes, `%VAR%`
/// expansions outside quotes) is refused: the words are data, never a program.
struct ShellWords {
    enum Dialect: String, Sendable {
        case bash, cmd
    }

    struct Problem: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    let dialect: Dialect
    /// Each word's bytes (ANSI-C escapes can make bytes that are not UTF-8).
    let words: [[UInt8]]

    /// Splits `text`, choosing the dialect from its syntax (`^"` quoting or `^` continuations mean cmd).
    init(_ text: String) throws(Problem) {
        let bytes = Array(text.utf8)
        let isCmd = text.contains("^\"") || text.contains(" ^\n") || text.contains(" ^\r\n")
        dialect = isCmd ? .cmd : .bash
        words = isCmd ? try Self.cmdWords(bytes) : try Self.bashWords(bytes)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == .space || byte == .tab || byte == .lineFeed || byte == .carriageReturn
    }

    // MARK: - bash

    private static func bashWords(_ bytes: [UInt8]) throws(Problem) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var word: [UInt8] = []
        var inWord = false
        var index = 0
        func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }
        while index < bytes.count {
            let current = bytes[index]
            switch current {
            case _ where isBlank(current):
                if inWord { words.append(word) }
                word = []
                inWord = false
                index += 1
            case .backslash:
                guard let next = byte(at: index + 1) else { throw Problem(description: "the command ends with `\\`") }
                if next == .lineFeed {
                    index += 2
                } else if next == .carriageReturn, byte(at: index + 2) == .lineFeed {
                    index += 3
                } else {
                    word.append(next)
                    inWord = true
                    index += 2
                }
            case .singleQuote:
                guard let end = bytes[(index + 1)...].firstIndex(of: .singleQuote) else {
                    throw Problem(description: "a `'` quote is not closed")
                }
                word += bytes[(index + 1)..<end]
                inWord = true
                index = end + 1
            case .dollar where byte(at: index + 1) == .singleQuote:
                index = try ansiC(bytes, from: index + 2, into: &word)
                inWord = true
            case .doubleQuote:
                index = try doubleQuoted(bytes, from: index + 1, into: &word)
                inWord = true
            case .semicolon, .verticalBar, .ampersand, .lessThan, .greaterThan, .backquote, .leftParenthesis,
                .rightParenthesis:
                throw Problem(
                    description: "the command has shell syntax `\(Character(Unicode.Scalar(current)))` outside quotes; "
                        + "cors reads one curl command and never runs a shell")
            case .dollar:
                throw Problem(
                    description: "the command expands a shell variable or command (`$` outside quotes); "
                        + "paste the command as the browser copied it")
            default:
                word.append(current)
                inWord = true
                index += 1
            }
        }
        if inWord { words.append(word) }
        return words
    }

    /// `"…"`: backslash escapes only `$`, `` ` ``, `"`, `\` and newline; an expansion is refused.
    private static func doubleQuoted(_ bytes: [UInt8], from start: Int, into word: inout [UInt8]) throws(Problem)
        -> Int
    {
        var index = start
        while index < bytes.count {
            let current = bytes[index]
            switch current {
            case .doubleQuote: return index + 1
            case .backslash where index + 1 < bytes.count:
                let next = bytes[index + 1]
                if next == .lineFeed {
                } else if [.dollar, .backquote, .doubleQuote, .backslash].contains(next) {
                    word.append(next)
                } else {
                    word += [current, next]
                }
                index += 2
            case .dollar, .backquote:
                throw Problem(
                    description: "a double-quoted word expands a shell variable or command; "
                        + "paste the command as the browser copied it")
            default:
                word.append(current)
                index += 1
            }
        }
        throw Problem(description: "a `\"` quote is not closed")
    }

    /// `$'…'`, ANSI-C quoting: the escapes browsers write, and the rest of bash's set.
    private static func ansiC(_ bytes: [UInt8], from start: Int, into word: inout [UInt8]) throws(Problem) -> Int {
        var index = start
        var pendingHighSurrogate: UInt32?
        func hexValue(maxDigits: Int) -> UInt32? {
            var value: UInt32 = 0
            var digits = 0
            while digits < maxDigits, index < bytes.count, let digit = bytes[index].hexDigitValue {
                value = value * 16 + digit
                digits += 1
                index += 1
            }
            return digits == 0 ? nil : value
        }
        func appendScalar(_ value: UInt32) {
            if (0xD800...0xDBFF).contains(value) {
                pendingHighSurrogate = value
                return
            }
            var scalarValue = value
            if let high = pendingHighSurrogate, (0xDC00...0xDFFF).contains(value) {
                scalarValue = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
            }
            pendingHighSurrogate = nil
            word += Array(String(Unicode.Scalar(scalarValue).map(Character.init) ?? "\u{FFFD}").utf8)
        }
        while index < bytes.count {
            let current = bytes[index]
            index += 1
            if current == .singleQuote { return index }
            guard current == .backslash, index < bytes.count else {
                word.append(current)
                continue
            }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): word.append(.lineFeed)
            case UInt8(ascii: "r"): word.append(.carriageReturn)
            case UInt8(ascii: "t"): word.append(.tab)
            case UInt8(ascii: "a"): word.append(0x07)
            case UInt8(ascii: "b"): word.append(0x08)
            case UInt8(ascii: "e"), UInt8(ascii: "E"): word.append(0x1B)
            case UInt8(ascii: "f"): word.append(0x0C)
            case UInt8(ascii: "v"): word.append(0x0B)
            case UInt8(ascii: "x"):
                guard let value = hexValue(maxDigits: 2) else { throw Problem(description: "`\\x` without hex digits") }
                word.append(UInt8(value))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                guard let value = hexValue(maxDigits: escape == UInt8(ascii: "u") ? 4 : 8) else {
                    throw Problem(description: "`\\u` without hex digits")
                }
                appendScalar(value)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(escape - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[index]) {
                    value = value * 8 + UInt32(bytes[index] - UInt8(ascii: "0"))
                    digits += 1
                    index += 1
                }
                word.append(UInt8(truncatingIfNeeded: value))
            case .backslash, .singleQuote, .doubleQuote, UInt8(ascii: "?"): word.append(escape)
            default: word += [.backslash, escape]
            }
        }
        throw Problem(description: "a `$'` quote is not closed")
    }

    // MARK: - cmd

    private static func cmdWords(_ bytes: [UInt8]) throws(Problem) -> [[UInt8]] {
        // cmd.exe's pass: `^X` is X (so `^` + newline continues the line, and `^` newline newline is a newline);
        // outside cmd's own quotes, `%NAME` would expand, and `& | < >` would run something else.
        var unescaped: [UInt8] = []
        var literal: [Bool] = []
        var index = 0
        var cmdQuoted = false
        while index < bytes.count {
            var current = bytes[index]
            if current == .carriageReturn, index + 1 < bytes.count, bytes[index + 1] == .lineFeed {
                index += 1
                current = .lineFeed
            }
            if current == .caret, index + 1 < bytes.count, !cmdQuoted {
                var next = bytes[index + 1]
                index += 2
                if next == .carriageReturn, index < bytes.count, bytes[index] == .lineFeed {
                    index += 1
                    next = .lineFeed
                }
                if next == .lineFeed {
                    // A continuation: the newline goes, and the next character is taken literally.
                    guard index < bytes.count else { break }
                    var following = bytes[index]
                    if following == .carriageReturn, index + 1 < bytes.count, bytes[index + 1] == .lineFeed {
                        index += 1
                        following = .lineFeed
                    }
                    index += 1
                    unescaped.append(following)
                    literal.append(true)
                } else {
                    unescaped.append(next)
                    literal.append(true)
                }
                continue
            }
            if current == .doubleQuote { cmdQuoted.toggle() }
            if !cmdQuoted, [UInt8.ampersand, .verticalBar, .lessThan, .greaterThan].contains(current) {
                throw Problem(
                    description: "the command has cmd syntax `\(Character(Unicode.Scalar(current)))` outside quotes; "
                        + "cors reads one curl command and never runs a shell")
            }
            if current == .percent, !cmdQuoted, index + 1 < bytes.count, bytes[index + 1].isASCIIAlphanumeric {
                throw Problem(
                    description: "the command expands an environment variable (`%NAME`); "
                        + "paste the command as the browser copied it")
            }
            unescaped.append(current)
            literal.append(false)
            index += 1
        }
        return splitRuntimeArguments(unescaped)
    }

    /// The C runtime's pass over what cmd.exe left: blanks split words, `"` toggles quoting, `\"` and (inside quotes)
    /// `""` are a quote, `\\` is a backslash.
    private static func splitRuntimeArguments(_ bytes: [UInt8]) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var word: [UInt8] = []
        var inWord = false
        var quoted = false
        var index = 0
        while index < bytes.count {
            let current = bytes[index]
            if !quoted, isBlank(current) {
                if inWord { words.append(word) }
                word = []
                inWord = false
                index += 1
                continue
            }
            inWord = true
            if current == .backslash, index + 1 < bytes.count,
                bytes[index + 1] == .doubleQuote || bytes[index + 1] == .backslash
            {
                word.append(bytes[index + 1])
                index += 2
            } else if current == .doubleQuote {
                if quoted, index + 1 < bytes.count, bytes[index + 1] == .doubleQuote {
                    word.append(.doubleQuote)
                    index += 2
                } else {
                    quoted.toggle()
                    index += 1
                }
            } else {
                word.append(current)
                index += 1
            }
        }
        if inWord { words.append(word) }
        return words
    }
}

extension UInt8 {
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let lineFeed = UInt8(ascii: "\n")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let backslash = UInt8(ascii: "\\")
    fileprivate static let singleQuote = UInt8(ascii: "'")
    fileprivate static let doubleQuote = UInt8(ascii: "\"")
    fileprivate static let dollar = UInt8(ascii: "$")
    fileprivate static let backquote = UInt8(ascii: "`")
    fileprivate static let semicolon = UInt8(ascii: ";")
    fileprivate static let verticalBar = UInt8(ascii: "|")
    fileprivate static let ampersand = UInt8(ascii: "&")
    fileprivate static let lessThan = UInt8(ascii: "<")
    fileprivate static let greaterThan = UInt8(ascii: ">")
    fileprivate static let leftParenthesis = UInt8(ascii: "(")
    fileprivate static let rightParenthesis = UInt8(ascii: ")")
    fileprivate static let caret = UInt8(ascii: "^")
    fileprivate static let percent = UInt8(ascii: "%")

    /// The value of a hexadecimal digit.
    fileprivate var hexDigitValue: UInt32? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(self - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// What can start a `%NAME%` expansion in cmd.exe.
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || self == UInt8(ascii: "_")
    }
}
