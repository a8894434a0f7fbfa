/// What the framing and connection rules of RFC 9112 read from a header section — `Host`, `Content-Length`,
/// `Transfer-Encoding`, `Connection` — gathered from each field line's bytes as the parser reads it. The rules then
/// look at this summary instead of scanning the parsed fields (and building strings) once per rule, on every message.
///
/// Names and tokens are compared as ASCII without regard to case (RFC 9110 §5.1, §5.6.2), byte for byte: a
/// non-ASCII character never matches a token, whatever Unicode's case mapping would make of it.
struct FramingFields {
    private var hosts = 0
    private var validHost = true
    /// Whether a `Transfer-Encoding` field is present, even an empty one.
    private(set) var transferEncoding = false
    /// The non-empty transfer codings listed, over all `Transfer-Encoding` fields in order.
    private(set) var codings = 0
    private(set) var chunkedCodings = 0
    private(set) var lastCodingIsChunked = false
    private var length: Int?
    private var invalidLength = false
    private var close = false
    private var keepAliveToken = false

    typealias Bytes = Slice<UnsafeRawBufferPointer>

    /// Notes what the field line `name: value` says, if it is one of the four.
    mutating func read(name: Bytes, value: Bytes) {
        switch name.count {
        case 4 where Self.equals(name, "host"):
            hosts += 1
            if hosts == 1 { validHost = HTTP1Authority.isValid(value) }
        case 10 where Self.equals(name, "connection"):
            Self.forEachElement(value) { token in
                if Self.equals(token, "close") { close = true }
                if Self.equals(token, "keep-alive") { keepAliveToken = true }
            }
        case 14 where Self.equals(name, "content-length"):
            readContentLength(value)
        case 17 where Self.equals(name, "transfer-encoding"):
            transferEncoding = true
            Self.forEachElement(value) { coding in
                guard !coding.isEmpty else { return }
                codings += 1
                lastCodingIsChunked = Self.equals(coding, "chunked")
                if lastCodingIsChunked { chunkedCodings += 1 }
            }
        default:
            break
        }
    }

    /// Each element of a list, repeated identically at most (RFC 9110 §8.6), empty ones refused.
    private mutating func readContentLength(_ value: Bytes) {
        Self.forEachElement(value) { digits in
            guard let parsed = Byte.decimalValue(digits), length == nil || length == parsed else {
                invalidLength = true
                return
            }
            length = parsed
        }
    }

    /// The one `Content-Length`, or `nil` without one.
    func contentLength() throws(HTTP1Error) -> Int? {
        if invalidLength { throw .invalidContentLength }
        return length
    }

    /// RFC 9112 §3.2: exactly one `Host` in HTTP/1.1, and a valid one.
    func checkHost(minorVersion: Int) throws(HTTP1Error) {
        if hosts > 1 { throw .multipleHosts }
        if hosts == 0, minorVersion == 1 { throw .missingHost }
        if hosts == 1, !validHost { throw .invalidHost }
    }

    /// Whether the sender is willing to send or receive another message on the connection after this one
    /// (RFC 9112 §9.3): HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    func keepAlive(minorVersion: Int) -> Bool {
        !close && (minorVersion == 1 || keepAliveToken)
    }

    /// Calls `body` with each element of a comma-separated list (RFC 9110 §5.6.1), trimmed of spaces and tabs, empty
    /// ones included.
    private static func forEachElement(_ value: Bytes, _ body: (Bytes) -> Void) {
        var start = value.startIndex
        while true {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.endIndex
            var first = start
            var last = end
            while first < last, value[first] == Byte.space || value[first] == Byte.tab { first += 1 }
            while last > first, value[last - 1] == Byte.space || value[last - 1] == Byte.tab { last -= 1 }
            body(value[first..<last])
            guard end < value.endIndex else { return }
            start = end + 1
        }
    }

    /// Whether `bytes` is `lowercase` in any ASCII case.
    private static func equals(_ bytes: Bytes, _ lowercase: StaticString) -> Bool {
        bytes.count == lowercase.utf8CodeUnitCount
            && lowercase.withUTF8Buffer { zip(bytes, $0).allSatisfy { Byte.lowercased($0) == $1 } }
    }
}
