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
        case 4 where Byte.equalsLowercase(name, "host".utf8):
            hosts += 1
            if hosts == 1 { validHost = HTTP1Authority.isValid(value) }
        case 10 where Byte.equalsLowercase(name, "connection".utf8):
            Byte.forEachListElement(in: value) { token in
                if Byte.equalsLowercase(token, "close".utf8) { close = true }
                if Byte.equalsLowercase(token, "keep-alive".utf8) { keepAliveToken = true }
            }
        case 14 where Byte.equalsLowercase(name, "content-length".utf8):
            readContentLength(value)
        case 17 where Byte.equalsLowercase(name, "transfer-encoding".utf8):
            transferEncoding = true
            Byte.forEachListElement(in: value) { coding in
                guard !coding.isEmpty else { return }
                codings += 1
                lastCodingIsChunked = Byte.equalsLowercase(coding, "chunked".utf8)
                if lastCodingIsChunked { chunkedCodings += 1 }
            }
        default:
            break
        }
    }

    /// Each element of a list, repeated identically at most (RFC 9110 §8.6), empty ones refused.
    private mutating func readContentLength(_ value: Bytes) {
        Byte.forEachListElement(in: value) { digits in
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
}
