package import HTTPTypes

/// The request headers a response depends on, to be listed in `Vary` so that shared caches keep responses for
/// different origins (and different preflights, and different `Sec-Fetch-Site`s) apart. The one way the project
/// writes `Vary`: CORS decisions and cross-origin protection both use it.
///
/// https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
package struct VaryNames: Sendable, Hashable {
    package let rawValue: UInt8

    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let origin = VaryNames(rawValue: 1 << 0)
    package static let accessControlRequestMethod = VaryNames(rawValue: 1 << 1)
    package static let accessControlRequestHeaders = VaryNames(rawValue: 1 << 2)
    /// Read by cross-origin protection.
    package static let secFetchSite = VaryNames(rawValue: 1 << 3)
    /// No header.
    package static let none = VaryNames(rawValue: 0)

    static let preflight = VaryNames(rawValue: 0b0111)

    /// These names and `other`'s.
    package func union(_ other: VaryNames) -> VaryNames { VaryNames(rawValue: rawValue | other.rawValue) }

    /// Whether every name of `other` is among these.
    package func contains(_ other: VaryNames) -> Bool { rawValue & other.rawValue == other.rawValue }

    package var isEmpty: Bool { rawValue == 0 }

    /// The header names, in the order they are written.
    package var names: [String] {
        Self.all.filter { contains($0.0) }.map(\.1)
    }

    private static let all: [(VaryNames, String)] = [
        (.origin, "Origin"), (.accessControlRequestMethod, "Access-Control-Request-Method"),
        (.accessControlRequestHeaders, "Access-Control-Request-Headers"), (.secFetchSite, "Sec-Fetch-Site"),
    ]

    /// Adds the missing names to `fields`' `Vary` in one appended field line.
    ///
    /// Existing `Vary` lines are never replaced: a handler's `Vary: Accept-Encoding` survives, a name already listed
    /// (in any case) is not repeated, and `Vary: *` (which already varies on everything) is left alone.
    package func append(to fields: inout HTTPFields) {
        guard !isEmpty else { return }
        var missing = rawValue
        // Names read in place (see `CORSDecision.apply(to:)`); a canonical name is lowercase, and a length tells most
        // names apart before any byte is compared.
        for index in fields.indices where Self.isVary(fields[index].name.canonicalName) {
            for element in fields[index].value.split(separator: ",") {
                let name = ASCII.trimming(element, where: ASCII.isTabOrSpace)
                if name == "*" { return }
                for (option, listed) in Self.all where ASCII.equalsIgnoringCase(name.utf8, listed.utf8) {
                    missing &= ~option.rawValue
                }
            }
        }
        guard missing != 0 else { return }
        fields.append(contentsOf: Self.fields[Int(missing)])
    }

    private static func isVary(_ canonicalName: String) -> Bool {
        canonicalName.utf8.count == 4 && canonicalName == "vary"
    }

    /// The fields of a response that has only this `Vary` field, shared rather than rebuilt for each response.
    var fieldsAlone: HTTPFields { Self.fields[Int(rawValue)] }

    /// The `Vary` field for each of the sixteen combinations, built once.
    private static let fields: [HTTPFields] = (0..<16).map { (raw: Int) -> HTTPFields in
        let names = VaryNames(rawValue: UInt8(raw))
        return names.isEmpty
            ? HTTPFields() : HTTPFields([HTTPField(name: .vary, value: names.names.joined(separator: ", "))])
    }
}
