public import HTTPTypes

/// The request headers a CORS response depends on, to be listed in `Vary` so that shared caches keep responses
/// for different origins (and different preflights) apart.
///
/// https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
public struct VaryNames: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let origin = VaryNames(rawValue: 1 << 0)
    public static let accessControlRequestMethod = VaryNames(rawValue: 1 << 1)
    public static let accessControlRequestHeaders = VaryNames(rawValue: 1 << 2)

    static let preflight: VaryNames = [.origin, .accessControlRequestMethod, .accessControlRequestHeaders]

    /// The header names, in the order they are written.
    var names: [String] {
        var names: [String] = []
        if contains(.origin) { names.append("Origin") }
        if contains(.accessControlRequestMethod) { names.append("Access-Control-Request-Method") }
        if contains(.accessControlRequestHeaders) { names.append("Access-Control-Request-Headers") }
        return names
    }

    /// Adds the missing names to `fields`' `Vary` in one appended field line.
    ///
    /// Existing `Vary` lines are never replaced: a handler's `Vary: Accept-Encoding` survives, a name already listed
    /// (in any case) is not repeated, and `Vary: *` (which already varies on everything) is left alone.
    public func append(to fields: inout HTTPFields) {
        guard !isEmpty else { return }
        var missing = self
        for field in fields where field.name == .vary {
            for element in field.value.split(separator: ",") {
                let name = ASCII.trimming(element, where: ASCII.isTabOrSpace)
                if name == "*" { return }
                if ASCII.equalsIgnoringCase(name.utf8, "origin".utf8) { missing.remove(.origin) }
                if ASCII.equalsIgnoringCase(name.utf8, "access-control-request-method".utf8) {
                    missing.remove(.accessControlRequestMethod)
                }
                if ASCII.equalsIgnoringCase(name.utf8, "access-control-request-headers".utf8) {
                    missing.remove(.accessControlRequestHeaders)
                }
            }
        }
        guard !missing.isEmpty else { return }
        fields.append(HTTPField(name: .vary, value: Self.lines[Int(missing.rawValue)]))
    }

    /// The `Vary` value for each of the eight combinations, built once.
    private static let lines: [String] = (0..<8).map { VaryNames(rawValue: UInt8($0)).names.joined(separator: ", ") }
}
