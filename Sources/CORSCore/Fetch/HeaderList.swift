public import HTTPTypes

/// One bounded parser for the comma-separated header lists of the CORS protocol:
/// `Access-Control-Request-Headers`, `Access-Control-Allow-Methods`, `Access-Control-Allow-Headers` and
/// `Access-Control-Expose-Headers`.
///
/// It implements "extract header list values" for lists of tokens (`#field-name` and `#method`): every field line
/// with the name counts, elements are separated by commas, optional whitespace around an element is ignored,
/// empty elements are allowed, and a single element that is not a token makes the whole list a failure.
///
/// https://fetch.spec.whatwg.org/#extract-header-list-values
///
/// Hostile input is bounded: the total length of the field lines is checked before any element is read, and the
/// number of elements (empty ones included) is capped, so the work never grows with the size of an attacker's header
/// beyond ``HeaderList/Limits``.
public enum HeaderList {
    /// The bounds the parser enforces.
    public struct Limits: Sendable, Hashable {
        /// The most bytes, all field lines together, that the parser reads.
        public var maximumBytes: Int
        /// The most elements, empty ones included, that the parser accepts.
        public var maximumElements: Int

        public init(maximumBytes: Int, maximumElements: Int) {
            self.maximumBytes = maximumBytes
            self.maximumElements = maximumElements
        }

        /// 4 KiB and 128 elements: far beyond what a browser sends, far below what could cost time.
        public static let `default` = Limits(maximumBytes: 4096, maximumElements: 128)
    }

    /// Why a list could not be parsed.
    public enum Failure: Error, Sendable, Hashable {
        /// An element is not a token (for example `Bad value` or `"bb-8"`).
        case invalidElement(String)
        /// The field lines together exceed ``Limits/maximumBytes``.
        case tooLong
        /// The list has more than ``Limits/maximumElements`` elements.
        case tooManyElements
    }

    /// The outcome of scanning a list.
    package enum Outcome: Sendable, Hashable {
        /// No field line has the name: Fetch's "null".
        case absent
        /// The list parsed; the visitor saw every non-empty element.
        case parsed
        /// The list is a failure.
        case failure(Failure)
        /// The visitor asked to stop before the end.
        case stopped
    }

    /// Calls `visit` with each non-empty element of the list named `name`, in order, without allocating.
    ///
    /// `visit` returns `false` to stop early. Elements are validated before they are visited, so a visitor never sees
    /// a non-token; an invalid element found later still turns the outcome into ``Outcome/failure(_:)``.
    package static func scan(
        _ name: HTTPField.Name,
        in fields: HTTPFields,
        limits: Limits = .default,
        visit: (Substring) -> Bool
    ) -> Outcome {
        var totalBytes = 0
        var lines = 0
        var commas = 0
        for field in fields where field.name == name {
            lines += 1
            let value = field.value.utf8
            totalBytes += value.count
            if totalBytes > limits.maximumBytes { return .failure(.tooLong) }
            commas +=
                value.withContiguousStorageIfAvailable { bytes in
                    var count = 0
                    for byte in bytes where byte == UInt8(ascii: ",") { count += 1 }
                    return count
                } ?? value.reduce(0) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
            if lines + commas > limits.maximumElements { return .failure(.tooManyElements) }
        }
        guard lines > 0 else { return .absent }

        var elements = 0
        for field in fields where field.name == name {
            let value = field.value
            var rest = value[...]
            while true {
                elements += 1
                if elements > limits.maximumElements { return .failure(.tooManyElements) }
                let comma = rest.utf8.firstIndex(of: UInt8(ascii: ","))
                let element = ASCII.trimming(rest[..<(comma ?? rest.endIndex)], where: ASCII.isTabOrSpace)
                if !element.isEmpty {
                    guard ASCII.isToken(element.utf8) else { return .failure(.invalidElement(String(element))) }
                    if !visit(element) { return .stopped }
                }
                guard let comma else { break }
                rest = rest[rest.index(after: comma)...]
            }
        }
        return .parsed
    }

    /// The non-empty elements of the list named `name`: `nil` when absent, or a failure.
    ///
    /// It allocates an array of the elements: the engine itself scans lists in place.
    public static func values(
        _ name: HTTPField.Name,
        in fields: HTTPFields,
        limits: Limits = .default
    ) -> Result<[String], Failure>? {
        var values: [String] = []
        switch scan(
            name, in: fields, limits: limits,
            visit: {
                values.append(String($0)); return true
            })
        {
        case .absent: return nil
        case .parsed, .stopped: return .success(values)
        case .failure(let failure): return .failure(failure)
        }
    }
}
