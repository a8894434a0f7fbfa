/// "Copy as cURL" as the browsers' DevTools write it, re-implemented from their published quoting rules so that tests
/// can generate commands for any request:
/// - Chromium (devtools-frontend, `NetworkLogView`'s `generateCurlCommand`): bash quotes with `'…'`, or `$'…'` when
///   the text has a control character, `!` or `'` (escaping `\\ \' \n \r` and `\uHHHH`); cmd wraps in `^"…^"`,
///   doubles `\`, writes `"` as `\"`, puts `^` before every character outside `[a-zA-Z0-9\s_\-:=+~'/.,?;()*` + "`" +
///   `]`, `%^` before a name character, and a newline as `^` newline newline. One option per line, continued with
///   ` \` or ` ^`; cookies as `-b`, the body as `--data-raw`.
/// - Firefox (`devtools/client/shared/curl.js`): POSIX quotes with `$'…'` when the text has a character outside
///   space…`~`, `!` or `'` (`\xHH` below 256, `\uHHHH` above, `!` as `\x21`); Windows uses the same quoting as
///   Chromium's cmd. All options on one line.
enum DevToolsCurl {
    enum Browser { case chromium, firefox }
    enum Shell { case bash, cmd }

    struct Request {
        var url: String
        var method: String?
        var headers: [(String, String)]
        var cookie: String?
        var body: String?
    }

    static func command(_ request: Request, browser: Browser, shell: Shell) -> String {
        let quote: (String) -> String =
            switch (browser, shell) {
            case (.chromium, .bash): chromiumPOSIX
            case (.firefox, .bash): firefoxPOSIX
            case (_, .cmd): windows
            }
        var parts = ["curl " + quote(request.url)]
        if let method = request.method { parts.append("-X " + quote(method)) }
        for (name, value) in request.headers { parts.append("-H " + quote("\(name): \(value)")) }
        if let cookie = request.cookie { parts.append("-b " + quote(cookie)) }
        if let body = request.body { parts.append("--data-raw " + quote(body)) }
        if browser == .chromium { parts.append("--compressed") }
        switch (browser, shell) {
        case (.chromium, .bash): return parts.joined(separator: " \\\n  ")
        case (.chromium, .cmd): return parts.joined(separator: " ^\n  ")
        case (.firefox, _): return parts.joined(separator: " ")
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    static func chromiumPOSIX(_ text: String) -> String {
        func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "!"
        }
        guard text.unicodeScalars.contains(where: { needsEscape($0) || $0 == "'" }) else { return "'\(text)'" }
        var out = "$'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case _ where needsEscape(scalar): out += "\\u" + hex(scalar.value, digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    static func firefoxPOSIX(_ text: String) -> String {
        func outside(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || scalar.value > 0x7E }
        guard text.unicodeScalars.contains(where: { outside($0) || $0 == "!" || $0 == "'" }) else {
            return "'\(text)'"
        }
        var out = "$'"
        // JavaScript strings are UTF-16: a character outside the BMP is escaped as its two surrogates.
        for unit in text.utf16 {
            let scalar = Unicode.Scalar(unit)
            switch scalar {
            case "\\"?: out += "\\\\"
            case "'"?: out += "\\'"
            case "\n"?: out += "\\n"
            case "\r"?: out += "\\r"
            case "!"?: out += "\\x21"
            case let ascii? where !outside(ascii): out.unicodeScalars.append(ascii)
            default:
                out += unit < 256 ? "\\x" + hex(UInt32(unit), digits: 2) : "\\u" + hex(UInt32(unit), digits: 4)
            }
        }
        return out + "'"
    }

    static func windows(_ text: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n\r_-:=+~'/.,?;()*`")
        var escaped = ""
        for character in text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") {
            if !plain.contains(character) { escaped += "^" }
            escaped.append(character)
        }
        var out = ""
        var characters = Array(escaped)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            out.append(character)
            if character == "%", index + 1 < characters.count,
                characters[index + 1].isLetter || characters[index + 1].isNumber || characters[index + 1] == "_"
            {
                out += "^"
            }
            index += 1
        }
        characters = Array(out)
        out = ""
        for character in characters {
            if character == "\n" || character == "\r\n" { out += "^\n\n" } else { out.append(character) }
        }
        return "^\"" + out + "^\""
    }
}
