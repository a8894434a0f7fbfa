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

    /// Calls `visit` with the bytes of each non-empty element of the list named `name`, in order, without
    /// allocating; the bytes are valid only during the call.
    ///
    /// `visit` returns `false` to stop early. Elements are validated before they are visited, so a visitor never sees
    /// a non-token; an invalid element found later still turns the outcome into ``Outcome/failure(_:)``.
    package static func scan(
        _ name: HTTPField.Name,
        in fields: HTTPFields,
        limits: Limits = .default,
        visit: (UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Outcome {
        scan(lines: fields.lazy.filter { $0.name == name }, limits: limits, visit: visit)
    }

    /// ``scan(_:in:limits:visit:)`` over field lines already picked out (all of them with the list's name).
    package static func scan(
        lines: some Sequence<HTTPField>,
        limits: Limits = .default,
        visit: (UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Outcome {
        var none: Void = ()
        return scan(lines: lines, limits: limits, state: &none) { _, element in visit(element) }
    }

    /// The same, with the visitor's state passed to it rather than captured: a visitor that captures mutable
    /// variables makes them boxed and checked for exclusive access at run time, which costs more than the scan.
    package static func scan<State>(
        lines: some Sequence<HTTPField>,
        limits: Limits = .default,
        state: inout State,
        visit: (inout State, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Outcome {
        // First the sizes alone, so that a hostile list costs one pass over bounded bytes.
        var totalBytes = 0
        var elements = 0
        for field in lines {
            let commas = field.withUnsafeBytesOfValue { value in
                totalBytes += value.count
                return totalBytes > limits.maximumBytes ? 0 : value.reduce(0) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
            }
            if totalBytes > limits.maximumBytes { return .failure(.tooLong) }
            elements += 1 + commas
            if elements > limits.maximumElements { return .failure(.tooManyElements) }
        }
        guard elements > 0 else { return .absent }

        for field in lines {
            let outcome = field.withUnsafeBytesOfValue { value -> Outcome? in
                var start = 0
                while start <= value.count {
                    var end = start
                    while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
                    var first = start
                    var last = end
                    while first < last, ASCII.isTabOrSpace(value[first]) { first += 1 }
                    while last > first, ASCII.isTabOrSpace(value[last - 1]) { last -= 1 }
                    if first < last {
                        let element = UnsafeBufferPointer(rebasing: value[first..<last])
                        guard element.allSatisfy(ASCII.isTokenByte) else {
                            return .failure(.invalidElement(String(decoding: element, as: UTF8.self)))
                        }
                        if !visit(&state, element) { return .stopped }
                    }
                    start = end + 1
                }
                return nil
            }
            if let outcome { return outcome }
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
                values.append(String(decoding: $0, as: UTF8.self)); return true
            })
        {
        case .absent: return nil
        case .parsed, .stopped: return .success(values)
        case .failure(let failure): return .failure(failure)
        }
    }
}
