package import HTTPTypes

/// The start line and header section of a message, as parsed: field values are the bytes received, unchanged
/// (`HTTPField(name:lenientValue:)`), so that a proxy forwards what it got.
package struct HTTP1Head: Sendable, Hashable {
    package enum StartLine: Sendable, Hashable {
        /// `method SP request-target SP HTTP-version` (RFC 9112 §3).
        case request(method: HTTPRequest.Method, target: String)
        /// `HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 §4).
        case response(status: Int, reason: String)
    }

    package var startLine: StartLine
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    /// Every field line, in order, `Host` included.
    package var fields: HTTPFields
    /// How the body that follows is delimited.
    package var framing: HTTP1Framing
    /// Whether the sender is willing to send or receive another message on the connection after this one
    /// (RFC 9112 §9.3): HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    package var keepAlive: Bool
}

extension HTTPFields {
    /// Calls `body` with each element of the comma-separated lists (RFC 9110 §5.6.1) in the fields named `name`, in
    /// order, trimmed of spaces and tabs, empty ones included. Nothing is allocated: this runs on every message.
    package func forEachListElement<E: Error>(
        _ name: HTTPField.Name, _ body: (Substring) throws(E) -> Void
    ) throws(E) {
        // Most messages lack the field: this check borrows the fields, where the loop below copies each one.
        guard contains(name) else { return }
        for field in self where field.name == name {
            try Byte.forEachListElement(in: field.value.utf8) { (element) throws(E) in try body(Substring(element)) }
        }
    }

    /// The body's length that `Content-Length` gives: every element of every such field the same number (RFC 9110
    /// §8.6); `nil` without the field, or when its elements are not all one number.
    package var contentLength: Int? {
        var length: Int?
        var valid = true
        forEachListElement(.contentLength) { element in
            guard let parsed = Byte.decimalValue(element.utf8), length == nil || length == parsed else {
                valid = false
                return
            }
            length = parsed
        }
        return valid ? length : nil
    }
}

extension Substring {
    /// Whether this is `lowercase` in any ASCII case (field names and tokens are case-insensitive), without
    /// lowercasing a copy.
    package func equalsLowercaseASCII(_ lowercase: String) -> Bool {
        Byte.equalsLowercase(utf8, lowercase.utf8)
    }
}

/// How a message body is delimited (RFC 9112 §6.3).
package enum HTTP1Framing: Sendable, Hashable {
    /// No body: a request without `Content-Length` or `Transfer-Encoding`, a response to `HEAD`, a 1xx, 204 or 304.
    case empty
    /// `Content-Length` bytes.
    case length(Int)
    /// The chunked transfer coding (RFC 9112 §7.1).
    case chunked
    /// A response with neither field: everything until the server closes the connection.
    case untilClose
}
