/// A small, strict JSON reader (RFC 8259) for policy files.
///
/// It exists so that a policy file's errors can be exact: a syntax error names its line and column, and every value
/// keeps its JSON path for diagnostics, without pulling Foundation into the core. Depth and size are bounded.
enum JSON: Equatable {
    case object([(key: String, value: JSON)])
    case array([JSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// A syntax error with its 1-based line and column.
    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        var message: String
        var description: String { "line \(line), column \(column): \(message)" }
    }

    static let maximumDepth = 32
    static let maximumBytes = 4 << 20

    /// The name of the value's type, for "expected an array, found a string".
    var typeName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    static func parse(_ text: some StringProtocol) throws(SyntaxError) -> JSON {
        var parser = Parser(bytes: Array(text.utf8))
        guard parser.bytes.count <= maximumBytes else {
            throw SyntaxError(line: 1, column: 1, message: "the file is larger than \(maximumBytes) bytes")
        }
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        func error(_ message: String) -> SyntaxError {
            var line = 1
            var column = 1
            for byte in bytes[..<min(position, bytes.count)] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return SyntaxError(line: line, column: column, message: message)
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        mutating func expect(_ literal: String) throws(SyntaxError) {
            for byte in literal.utf8 {
                guard current == byte else { throw error("expected `\(literal)`") }
                position += 1
            }
        }

        mutating func parseValue(depth: Int) throws(SyntaxError) -> JSON {
            guard depth < JSON.maximumDepth else { throw error("nested deeper than \(JSON.maximumDepth) levels") }
            switch current {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            case let byte? where byte == UInt8(ascii: "-") || ASCII.isDigit(byte):
                return .number(try parseNumber())
            case nil:
                throw error("unexpected end of input")
            default:
                throw error("unexpected character")
            }
        }

        mutating func parseObject(depth: Int) throws(SyntaxError) -> JSON {
            position += 1
            var members: [(key: String, value: JSON)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a key in double quotes") }
                let key = try parseString()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected `:` after the key") }
                position += 1
                skipWhitespace()
                members.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard current == UInt8(ascii: "}") else { throw error("expected `,` or `}`") }
                position += 1
                return .object(members)
            }
        }

        mutating func parseArray(depth: Int) throws(SyntaxError) -> JSON {
            position += 1
            var elements: [JSON] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard current == UInt8(ascii: "]") else { throw error("expected `,` or `]`") }
                position += 1
                return .array(elements)
            }
        }

        mutating func parseString() throws(SyntaxError) -> String {
            position += 1
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run.removeAll(keepingCapacity: true)
            }
            while true {
                guard let byte = current else { throw error("unterminated string") }
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    scalars.append(try parseEscape())
                case 0x00..<0x20:
                    position -= 1
                    throw error("control character in a string; escape it")
                default:
                    run.append(byte)
                }
            }
        }

        mutating func parseEscape() throws(SyntaxError) -> Unicode.Scalar {
            guard let byte = current else { throw error("unterminated escape") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let high = try parseHex4()
                if (0xD800..<0xDC00).contains(high) {
                    guard current == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
                    position += 1
                    guard current == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
                    position += 1
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
                }
                guard let scalar = Unicode.Scalar(high) else { throw error("unpaired surrogate") }
                return scalar
            default:
                position -= 1
                throw error("invalid escape")
            }
        }

        mutating func parseHex4() throws(SyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = current, let digit = ASCII.hexValue(byte) else {
                    throw error("expected four hex digits")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        mutating func parseNumber() throws(SyntaxError) -> String {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            guard let first = current, ASCII.isDigit(first) else { throw error("expected a digit") }
            if first == UInt8(ascii: "0") {
                position += 1
            } else {
                while let byte = current, ASCII.isDigit(byte) { position += 1 }
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard let byte = current, ASCII.isDigit(byte) else { throw error("expected a digit after `.`") }
                while let byte = current, ASCII.isDigit(byte) { position += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard let byte = current, ASCII.isDigit(byte) else { throw error("expected an exponent") }
                while let byte = current, ASCII.isDigit(byte) { position += 1 }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
    }
}
