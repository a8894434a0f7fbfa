import HTTP1Wire
import Testing

/// The parser's framing and connection rules, which it reads from the field lines' bytes as they come, against a
/// straightforward reading of RFC 9112 written here over whole field values: thousands of random header sections
/// made of `Host`, `Content-Length`, `Transfer-Encoding` and `Connection` lines in any case, with lists, spaces,
/// repeats, empty elements and a non-ASCII look-alike.
@Suite("HTTP1Parser: framing rules against a reference reading of RFC 9112")
struct FramingDifferentialTests {
    /// What the reference says of a header section: accepted with its framing and keep-alive, or refused for these
    /// reasons (the parser must name one of them; RFC 9112 does not say which to report first).
    enum Verdict: Equatable {
        case accepted(HTTP1Framing, keepAlive: Bool)
        case refused(Set<String>)
    }

    static let names = [
        "Host", "host", "HOST", "Content-Length", "content-LENGTH", "Transfer-Encoding", "transfer-encoding",
        "Connection", "CONNECTION", "X-Other",
    ]
    static let values = [
        "a", "a b", "[::1]:80", "5", "05", "5, 5", "5,6", " 7 ", "+1", "", "1234567890123456789", "chunked", "Chunked",
        "gzip, chunked", "chunked, gzip", "chunked,chunked", ", chunked", "chun\u{212A}ed", "close", "keep-alive",
        "Keep-Alive, close", "upgrade", ", ,CLOSE", "clos",
    ]

    @Test func randomHeaderSections() {
        var random = SplitMix64(seed: 0x5EED)
        var compared = (accepted: 0, refused: 0)
        for _ in 0..<10_000 {
            let isRequest = random.next() % 2 == 0
            let minor = Int(random.next() % 2)
            let lines = (0..<Int(random.next() % 6)).map { _ in
                (
                    Self.names[Int(random.next() % UInt64(Self.names.count))],
                    Self.values[Int(random.next() % UInt64(Self.values.count))]
                )
            }
            let startLine = isRequest ? "POST / HTTP/1.\(minor)" : "HTTP/1.\(minor) 200 OK"
            let text = startLine + "\r\n" + lines.map { "\($0): \($1)\r\n" }.joined() + "\r\n"
            let parsed = parse(text, role: isRequest ? .server : .client)
            switch Self.reference(lines, isRequest: isRequest, minor: minor) {
            case .accepted(let framing, let keepAlive):
                compared.accepted += 1
                #expect(parsed.error == nil, "\(text.debugDescription)")
                #expect(parsed.heads.first?.framing == framing, "\(text.debugDescription)")
                #expect(parsed.heads.first?.keepAlive == keepAlive, "\(text.debugDescription)")
            case .refused(let reasons):
                compared.refused += 1
                #expect(parsed.error.map(reasons.contains) == true, "\(text.debugDescription): \(parsed.error ?? "-")")
            }
        }
        // Both outcomes are exercised in numbers.
        #expect(compared.accepted > 1_000 && compared.refused > 1_000, "\(compared)")
    }

    /// RFC 9112 §3.2 (Host), §6.1 and §6.3 (framing), §7 (chunked once, last), §9.3 (persistence), over whole
    /// values: lists split at commas, elements trimmed of spaces and tabs, names and tokens compared in ASCII case.
    static func reference(_ received: [(String, String)], isRequest: Bool, minor: Int) -> Verdict {
        // A field value does not include the spaces and tabs around it (RFC 9110 §5.5).
        let lines = received.map { ($0.0, $0.1.trimmedOfSpacesAndTabs) }
        func elements(_ name: String) -> [String] {
            lines.filter { lowercased($0.0) == name }.flatMap { line in
                line.1.split(separator: ",", omittingEmptySubsequences: false).map {
                    String($0).trimmedOfSpacesAndTabs
                }
            }
        }
        var reasons = Set<String>()
        let hasTransferEncoding = lines.contains { lowercased($0.0) == "transfer-encoding" }
        let codings = elements("transfer-encoding").filter { !$0.isEmpty }.map(lowercased)
        let lengths = elements("content-length")
        let hasLength = !lengths.isEmpty
        let numbers = lengths.map { $0.count <= 18 && !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) ? Int($0) : nil }
        if numbers.contains(nil) || Set(numbers).count > 1 { reasons.insert("invalid-content-length") }
        if hasTransferEncoding {
            if hasLength { reasons.insert("content-length-with-transfer-encoding") }
            if isRequest {
                if minor == 0 { reasons.insert("transfer-encoding-in-http-1.0") }
                if codings.last != "chunked" || codings.filter({ $0 == "chunked" }).count != 1 {
                    reasons.insert("transfer-encoding-not-chunked")
                } else if codings.count != 1 {
                    reasons.insert("unsupported-transfer-coding")
                }
            } else if codings != ["chunked"] {
                reasons.insert("unsupported-transfer-coding")
            }
        }
        if isRequest {
            let hosts = lines.filter { lowercased($0.0) == "host" }
            if hosts.count > 1 { reasons.insert("multiple-hosts") }
            if hosts.isEmpty, minor == 1 { reasons.insert("missing-host") }
            if hosts.count == 1, !HTTP1Authority.isValid(hosts[0].1.utf8) { reasons.insert("invalid-host") }
        }
        guard reasons.isEmpty else { return .refused(reasons) }
        let tokens = elements("connection").map(lowercased)
        let keepAlive = !tokens.contains("close") && (minor == 1 || tokens.contains("keep-alive"))
        let framing: HTTP1Framing =
            hasTransferEncoding ? .chunked : numbers.first.map { .length($0!) } ?? (isRequest ? .empty : .untilClose)
        return .accepted(framing, keepAlive: keepAlive)
    }

    /// ASCII letters made small, nothing else: what RFC 9110 means by case-insensitive names and tokens.
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

/// A small, seeded generator, so that a failure can be replayed.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate var trimmedOfSpacesAndTabs: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
