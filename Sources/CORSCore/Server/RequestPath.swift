/// A request's path in the one form that is judged — route rules, protection exemptions — and that `cors serve`
/// forwards, or the reason it has no such form.
///
/// Servers disagree about paths that spell a separator or a dot segment indirectly: `%2F` and `%5C` are a `/` to
/// some and an ordinary character to others; `%2e%2e` is decoded before dot-segment removal by some and after by
/// others; `..;/` is a parent directory to servers that strip `;` parameters (Tomcat, Jetty) and a name to the rest.
/// A decision made on one reading while the server acts on another lets a request escape the rules meant for it
/// (the class of Go's CVE-2025-47910). Browsers never send these forms — the URL parser resolves dot segments,
/// `%2e` included, before a request leaves (https://url.spec.whatwg.org/#path-state) — so they are refused rather
/// than guessed at.
///
/// The canonical form: the query is dropped; `%XX` of an unreserved character is decoded and every other `%XX` is
/// written in upper case (RFC 3986 §6.2.2); empty segments are collapsed (`//a` is `/a`). Case is kept.
package enum RequestPath {
    /// The canonical path of a request target's path-and-query (`/a/b?q`), or why it has none.
    package static func canonical(_ target: Substring) -> Result<Substring, PathAmbiguity> {
        let path = target[..<(target.utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)]
        guard path.utf8.first == UInt8(ascii: "/") else { return .failure(.notOriginForm) }
        if let problem = scan(path) { return .failure(problem) }
        guard needsRewriting(path) else { return .success(path) }
        var output: [UInt8] = []
        output.reserveCapacity(path.utf8.count)
        var bytes = path.utf8.makeIterator()
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "%") {
                let high = bytes.next()!
                let low = bytes.next()!
                let decoded = UInt8(ASCII.hexValue(high)! << 4 | ASCII.hexValue(low)!)
                if isUnreserved(decoded) {
                    output.append(decoded)
                } else {
                    output += [byte, uppercasedHex(high), uppercasedHex(low)]
                }
            } else if byte == UInt8(ascii: "/"), output.last == UInt8(ascii: "/") {
                continue
            } else {
                output.append(byte)
            }
        }
        return .success(String(decoding: output, as: UTF8.self)[...])
    }

    /// What `judge` says of the canonical path of `target` — provided it says the same of the path without its `;`
    /// parameters (the reading of servers that strip them) — or why the path cannot be judged.
    package static func judge<Verdict: Equatable>(
        _ target: Substring, _ judge: (Substring) -> Verdict
    ) -> Result<Verdict, PathAmbiguity> {
        switch canonical(target) {
        case .failure(let ambiguity):
            return .failure(ambiguity)
        case .success(let path):
            let verdict = judge(path)
            let stripped = withoutParameters(path)
            if stripped != path, judge(stripped) != verdict { return .failure(.pathParameters) }
            return .success(verdict)
        }
    }

    /// `path` (canonical) with each segment's `;` parameters removed: the reading of servers that strip them.
    package static func withoutParameters(_ path: Substring) -> Substring {
        guard path.utf8.contains(UInt8(ascii: ";")) else { return path }
        var output: [UInt8] = []
        var skipping = false
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                skipping = false
            } else if byte == UInt8(ascii: ";") {
                skipping = true
            }
            if !skipping { output.append(byte) }
        }
        return String(decoding: output, as: UTF8.self)[...]
    }

    /// Whether `path` (canonical) matches `prefix` on a segment boundary. `prefix` has no trailing `/` (except the
    /// root).
    static func matches(_ path: Substring, prefix: String) -> Bool {
        guard path.hasPrefix(prefix) else { return false }
        if prefix == "/" || path.utf8.count == prefix.utf8.count { return true }
        return path.utf8[path.utf8.index(path.startIndex, offsetBy: prefix.utf8.count)] == UInt8(ascii: "/")
    }

    /// A configured prefix in the form ``matches(_:prefix:)`` expects, or `nil` when it is not canonical or names
    /// more than a path.
    static func normalizedPrefix(_ prefix: String) -> String? {
        guard !prefix.contains("?"), case .success(let canonical) = canonical(prefix[...]) else { return nil }
        let trimmed = canonical.count > 1 && canonical.hasSuffix("/") ? String(canonical.dropLast()) : String(canonical)
        guard trimmed == prefix || trimmed + "/" == prefix else { return nil }
        return trimmed
    }

    /// A canonical spelling of a refused prefix, when one exists: a leading `/` added, characters outside ASCII
    /// and spaces percent-encoded, the rest canonicalized.
    static func suggestedPrefix(for prefix: String) -> String? {
        var bytes: [UInt8] = prefix.hasPrefix("/") ? [] : [UInt8(ascii: "/")]
        for byte in prefix.utf8 {
            if byte <= 0x20 || byte >= 0x7F {
                bytes += Array("%\(byte < 0x10 ? "0" : "")\(String(byte, radix: 16, uppercase: true))".utf8)
            } else {
                bytes.append(byte)
            }
        }
        let candidate = String(decoding: bytes, as: UTF8.self)
        guard case .success(let canonical) = canonical(candidate[...]), canonical != prefix[...] else { return nil }
        return String(canonical)
    }

    /// The first reason `path` has no single meaning, segment by segment.
    private static func scan(_ path: Substring) -> PathAmbiguity? {
        var bytes = path.utf8.makeIterator()
        // The current segment, as far as it could be a dot segment: its decoded bytes before any `;`.
        var dots = 0
        var other = false
        var inParameters = false
        func endSegment() -> PathAmbiguity? {
            defer { (dots, other, inParameters) = (0, false, false) }
            return !other && (dots == 1 || dots == 2) ? .dotSegment : nil
        }
        while let byte = bytes.next() {
            var decoded = byte
            switch byte {
            case UInt8(ascii: "/"):
                if let problem = endSegment() { return problem }
                continue
            case UInt8(ascii: "\\"):
                return .backslash
            case UInt8(ascii: "%"):
                guard let high = bytes.next().flatMap(ASCII.hexValue), let low = bytes.next().flatMap(ASCII.hexValue)
                else { return .invalidPercentEncoding }
                decoded = UInt8(high << 4 | low)
                switch decoded {
                case UInt8(ascii: "/"): return .encodedSlash
                case UInt8(ascii: "\\"): return .encodedBackslash
                case 0: return .encodedNul
                default: break
                }
            case 0...0x20, 0x7F...0xFF, UInt8(ascii: "#"):
                return .invalidCharacter
            default:
                break
            }
            if inParameters { continue }
            if byte == UInt8(ascii: ";") {
                inParameters = true
            } else if decoded == UInt8(ascii: ".") {
                dots += 1
            } else {
                other = true
            }
        }
        return endSegment()
    }

    private static func needsRewriting(_ path: Substring) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "%") { return true }
            if byte == UInt8(ascii: "/"), previous == UInt8(ascii: "/") { return true }
            previous = byte
        }
        return false
    }

    /// RFC 3986 §2.3 `unreserved`.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        ASCII.isAlpha(byte) || ASCII.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    private static func uppercasedHex(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f") ? byte - 0x20 : byte
    }
}

/// Why a request's path has no single meaning (see ``CORSPolicy/evaluate(_:allowing:)``). Each value has a stable ``code``.
public struct PathAmbiguity: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable identifier, for logs and tools.
    public let code: String
    public let description: String

    private init(_ code: String, _ description: String) {
        self.code = code
        self.description = description
    }

    /// The target is not a path (`*`, or an absolute URL where a path was expected).
    public static let notOriginForm = Self("not-origin-form", "the request target is not a path starting with /")
    /// `%2F`: a separator to some servers, a character to others.
    public static let encodedSlash = Self("encoded-slash", "the path has an encoded slash (%2F)")
    /// `%5C`: a separator to servers that treat `\` as `/`.
    public static let encodedBackslash = Self("encoded-backslash", "the path has an encoded backslash (%5C)")
    /// `\`: a separator to some servers (and to the URL Standard for special schemes).
    public static let backslash = Self("backslash", "the path has a backslash")
    /// `%00`: truncates the path in servers written in C.
    public static let encodedNul = Self("encoded-nul", "the path has an encoded NUL byte (%00)")
    /// `.` or `..`, written plainly, percent-encoded, or with `;` parameters (`..;`).
    public static let dotSegment = Self("dot-segment", "the path has a . or .. segment")
    /// `%` not followed by two hexadecimal digits.
    public static let invalidPercentEncoding = Self(
        "invalid-percent-encoding", "the path has a % not followed by two hexadecimal digits")
    /// The path's `;` parameters decide which rules apply: servers that strip them and servers that keep them
    /// would each be judged by different rules.
    public static let pathParameters = Self(
        "path-parameters", "the path's ; parameters change which rules apply to it")
    /// A control character, space, `#` or a byte outside ASCII, which no browser sends unencoded.
    public static let invalidCharacter = Self(
        "invalid-character", "the path has a control character, space, # or non-ASCII byte")
}
