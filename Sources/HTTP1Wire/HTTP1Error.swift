/// Why bytes are not an HTTP/1.1 message this parser accepts, with the status a server answers (RFC 9112) and a
/// stable code for logs.
///
/// The parser is strict on purpose: every leniency is a place where two parsers on the same path — this one and the
/// upstream's — could read different messages from the same bytes (request smuggling, RFC 9112 §11.2).
package struct HTTP1Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable identifier.
    package let code: String
    /// The status a server answers a request that fails this way with.
    package let status: Int
    package let description: String

    init(_ code: String, _ status: Int, _ description: String) {
        self.code = code
        self.status = status
        self.description = description
    }

    package static let invalidStartLine = Self("invalid-start-line", 400, "the request or status line is malformed")
    package static let unsupportedVersion = Self("unsupported-version", 505, "the HTTP version is not 1.0 or 1.1")
    package static let invalidMethod = Self("invalid-method", 400, "the method is not a token")
    package static let invalidTarget = Self(
        "invalid-target", 400, "the request target is not an origin-form path, an absolute http(s) URL or `*`")
    package static let targetTooLong = Self("target-too-long", 414, "the request line is longer than the limit")
    package static let bareLineFeed = Self("bare-line-feed", 400, "a line ends with LF alone, not CR LF")
    package static let bareCarriageReturn = Self("bare-carriage-return", 400, "a CR is not followed by LF")
    package static let headTooLarge = Self("head-too-large", 431, "the header section is larger than the limit")
    package static let fieldLineTooLong = Self("field-line-too-long", 431, "a field line is longer than the limit")
    package static let tooManyFields = Self("too-many-fields", 431, "the header section has more fields than the limit")
    package static let obsoleteLineFolding = Self(
        "obsolete-line-folding", 400, "a field line starts with whitespace (obs-fold)")
    package static let invalidFieldName = Self(
        "invalid-field-name", 400, "a field name is not a token, or is followed by whitespace")
    package static let invalidFieldValue = Self("invalid-field-value", 400, "a field value has a control character")
    package static let missingHost = Self("missing-host", 400, "an HTTP/1.1 request has no Host")
    package static let multipleHosts = Self("multiple-hosts", 400, "the request has more than one Host")
    package static let invalidHost = Self("invalid-host", 400, "the Host is not a host and optional port")
    package static let invalidContentLength = Self(
        "invalid-content-length", 400, "Content-Length is not one non-negative decimal number")
    package static let contentLengthWithTransferEncoding = Self(
        "content-length-with-transfer-encoding", 400, "the message has both Content-Length and Transfer-Encoding")
    package static let transferEncodingNotChunked = Self(
        "transfer-encoding-not-chunked", 400, "Transfer-Encoding does not end in chunked")
    package static let unsupportedTransferCoding = Self(
        "unsupported-transfer-coding", 501, "Transfer-Encoding names a coding other than chunked")
    package static let transferEncodingInHTTP10 = Self(
        "transfer-encoding-in-http-1.0", 400, "an HTTP/1.0 message has Transfer-Encoding")
    package static let invalidChunk = Self("invalid-chunk", 400, "the chunked body is malformed")
    package static let bodyTooLarge = Self("body-too-large", 413, "the body is larger than the limit")
    package static let unexpectedSwitchingProtocols = Self(
        "unexpected-101", 502, "the upstream switched protocols, which the gateway never asks for")
    package static let truncated = Self("truncated", 400, "the connection closed in the middle of a message")
}
