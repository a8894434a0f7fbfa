/// One step of a fetch, in the order it happened: a request sent, a response received, a check passed or failed,
/// or a note (a header dropped, a cache hit).
public struct TraceStep: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case request, response, check, note
    }

    public let kind: Kind
    /// For checks: whether it passed.
    public let passed: Bool?
    /// What happened, in one line.
    public let text: String
    /// For requests and responses: the start line and header lines as sent or received.
    public let lines: [String]

    package init(kind: Kind, passed: Bool? = nil, text: String, lines: [String] = []) {
        self.kind = kind
        self.passed = passed
        self.text = text
        self.lines = lines
    }

    public var description: String {
        let mark = passed.map { $0 ? "✓ " : "✗ " } ?? ""
        return ([mark + text] + lines.map { "  " + $0 }).joined(separator: "\n")
    }
}
