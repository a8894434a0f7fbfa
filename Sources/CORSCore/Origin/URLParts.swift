/// The parts of an absolute URL that origins and CORS need, read the way the URL Standard's basic URL parser reads
/// them: leading and trailing C0 controls and spaces trimmed, tabs and newlines removed, `\` as a path separator for
/// special schemes, userinfo up to the last `@`, the scheme's default port elided.
///
/// https://url.spec.whatwg.org/#concept-basic-url-parser
struct URLParts: Sendable, Hashable {
    enum Failure: Error, Equatable {
        case missingScheme
        case invalidScheme
        case missingHost
        case invalidPort
        case invalidHost(HostParser.Failure)
    }

    /// The lowercase scheme.
    var scheme: String
    /// Whether the URL has a non-empty username or password.
    var includesCredentials: Bool
    /// The host of a special URL; `nil` for other schemes.
    var host: Origin.Host?
    /// The explicit port, never the default.
    var port: Int?
    /// Everything after the authority (path, query and fragment), as written.
    var rest: Substring

    static let specialSchemes: Set<String> = ["ftp", "file", "http", "https", "ws", "wss"]

    init(_ input: some StringProtocol) throws(Failure) {
        var text = ASCII.trimming(Substring(input), where: { $0 <= 0x20 })
        if text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            text = Substring(
                String(decoding: text.utf8.filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }, as: UTF8.self))
        }
        let bytes = text.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { throw .missingScheme }
        let schemeBytes = bytes[..<colon]
        guard let first = schemeBytes.first, ASCII.isAlpha(first),
            schemeBytes.allSatisfy({ ASCII.isAlpha($0) || ASCII.isDigit($0) || "+-.".utf8.contains($0) })
        else { throw .invalidScheme }
        scheme = ASCII.lowercased(text[..<colon])
        var remainder = text[bytes.index(after: colon)...]
        guard Self.specialSchemes.contains(scheme), scheme != "file" else {
            includesCredentials = false
            host = nil
            port = nil
            rest = remainder
            return
        }
        remainder = remainder.drop(while: { $0 == "/" || $0 == "\\" })
        let authorityEnd = remainder.firstIndex(where: { "/\\?#".contains($0) }) ?? remainder.endIndex
        var authority = remainder[..<authorityEnd]
        rest = remainder[authorityEnd...]
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            includesCredentials = !userinfo.isEmpty && userinfo != ":"
            authority = authority[authority.index(after: at)...]
        } else {
            includesCredentials = false
        }
        var hostText = authority
        var portText: Substring?
        var inBrackets = false
        for index in authority.indices {
            let character = authority[index]
            if character == "[" { inBrackets = true }
            if character == "]" { inBrackets = false }
            if character == ":", !inBrackets {
                hostText = authority[..<index]
                portText = authority[authority.index(after: index)...]
                break
            }
        }
        guard !hostText.isEmpty else { throw .missingHost }
        do {
            host = try HostParser.parse(hostText)
        } catch {
            throw .invalidHost(error)
        }
        port = nil
        if let portText, !portText.isEmpty {
            guard portText.utf8.allSatisfy(ASCII.isDigit) else { throw .invalidPort }
            let digits = portText.drop(while: { $0 == "0" })
            guard digits.count <= 5, let number = Int(digits.isEmpty ? "0" : digits), number <= 65535 else {
                throw .invalidPort
            }
            port = number == Origin.defaultPort(forScheme: scheme) ? nil : number
        }
    }

    /// The URL's origin: a tuple for `http`, `https`, `ws`, `wss` and `ftp`; for `blob:` the origin of the URL it
    /// wraps when that is `http` or `https`; a new opaque origin otherwise (`file:`, `data:`, `about:`…).
    ///
    /// https://url.spec.whatwg.org/#concept-url-origin
    var origin: Origin {
        if scheme == "blob" {
            guard let inner = try? URLParts(rest), inner.scheme == "http" || inner.scheme == "https" else {
                return .opaque()
            }
            return inner.origin
        }
        guard let host else { return .opaque() }
        return Origin(scheme: scheme, host: host, port: port)
    }
}

extension Origin {
    /// The error thrown when a string is not an absolute URL.
    public struct URLParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The input that failed.
        public let input: String
        /// What is wrong with it.
        public let reason: String

        public var description: String { "not an absolute URL: \(input) (\(reason))" }
    }

    /// The origin of an absolute URL, as a browser computes it.
    ///
    /// `https://bücher.example/x` gives `https://xn--bcher-kva.example`; `http://0x7f.1:80/` gives
    /// `http://127.0.0.1`; `file:`, `data:` and other non-special URLs give a new opaque origin.
    ///
    /// https://url.spec.whatwg.org/#concept-url-origin
    public init(url: some StringProtocol) throws(URLParseError) {
        do {
            self = try URLParts(url).origin
        } catch {
            let reason: String
            switch error {
            case .missingScheme: reason = "no scheme"
            case .invalidScheme: reason = "the scheme is not valid"
            case .missingHost: reason = "no host"
            case .invalidPort: reason = "the port is not a number from 0 to 65535"
            case .invalidHost(let failure): reason = "the host is not valid (\(failure))"
            }
            throw URLParseError(input: String(url), reason: reason)
        }
    }
}

extension URLParts {
    /// The URL without credentials and fragment, with `/` as the path when it is empty: the form used as the
    /// preflight cache's key and in traces.
    var serialization: String {
        guard let host else { return scheme + ":" + rest }
        var text = scheme + "://" + host.serialization
        if let port { text += ":" + String(port) }
        var tail = rest
        if let hash = tail.firstIndex(of: "#") { tail = tail[..<hash] }
        if !tail.hasPrefix("/") { text += "/" }
        return text + tail.replacing("\\", with: "/")
    }

    /// Resolves a `Location` value against this URL: absolute, scheme-relative, absolute-path, query-only and
    /// relative-path references.
    ///
    /// https://url.spec.whatwg.org/#concept-basic-url-parser (with a base URL)
    func resolving(_ reference: String) throws(Failure) -> URLParts {
        let trimmed = ASCII.trimming(reference[...], where: { $0 <= 0x20 })
        if let colon = trimmed.firstIndex(of: ":"), let first = trimmed.utf8.first, ASCII.isAlpha(first),
            trimmed[..<colon].utf8.allSatisfy({ ASCII.isAlpha($0) || ASCII.isDigit($0) || "+-.".utf8.contains($0) })
        {
            return try URLParts(trimmed)
        }
        guard let host else { throw .missingHost }
        let authority = scheme + "://" + host.serialization + (port.map { ":" + String($0) } ?? "")
        let path = serialization.dropFirst(authority.count)
        let pathOnly = path.prefix(while: { $0 != "?" })
        if trimmed.hasPrefix("//") || trimmed.hasPrefix("\\\\") { return try URLParts(scheme + ":" + trimmed) }
        if trimmed.hasPrefix("/") || trimmed.hasPrefix("\\") { return try URLParts(authority + trimmed) }
        if trimmed.hasPrefix("?") { return try URLParts(authority + pathOnly + trimmed) }
        if trimmed.hasPrefix("#") || trimmed.isEmpty { return try URLParts(authority + path + trimmed) }
        let directory = pathOnly.lastIndex(of: "/").map { pathOnly[...$0] } ?? "/"
        return try URLParts(authority + directory + trimmed)
    }
}
