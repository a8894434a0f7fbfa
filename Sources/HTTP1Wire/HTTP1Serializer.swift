package import HTTPTypes
package import NIOCore

/// Writes HTTP/1.1 messages (RFC 9112): start lines, field lines with the bytes of each value as they are, and the
/// chunked framing. What it writes, ``HTTP1Parser`` reads back unchanged.
package enum HTTP1Serializer {
    /// `METHOD target HTTP/1.1`, then `Host: host` when given, then `fields` (which must include `Host` otherwise).
    package static func writeRequestHead(
        method: HTTPRequest.Method, target: String, host: String? = nil, fields: HTTPFields,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeString(method.rawValue)
        buffer.writeInteger(Byte.space)
        buffer.writeString(target)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        if let host {
            buffer.writeStaticString("Host: ")
            buffer.writeString(host)
            buffer.writeStaticString("\r\n")
        }
        writeFields(fields, into: &buffer)
    }

    /// `HTTP/1.1 code reason`, then `fields`. Reason bytes outside `reason-phrase` become spaces.
    package static func writeResponseHead(
        status: HTTPResponse.Status, fields: HTTPFields, into buffer: inout ByteBuffer
    ) {
        writeStatusLine(status, into: &buffer)
        writeFields(fields, into: &buffer)
    }

    /// `HTTP/1.1 code reason` and its line end. Reason bytes outside `reason-phrase` become spaces.
    package static func writeStatusLine(_ status: HTTPResponse.Status, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeInteger(Byte.space)
        let reason = status.reasonPhrase
        if reason.utf8.allSatisfy(Byte.isFieldValue) {
            buffer.writeString(reason)
        } else {
            buffer.writeBytes(reason.utf8.map { Byte.isFieldValue($0) ? $0 : Byte.space })
        }
        buffer.writeStaticString("\r\n")
    }

    /// One chunk of the chunked coding; an empty buffer writes nothing (an empty chunk would end the body).
    package static func writeChunk(_ data: ByteBuffer, into buffer: inout ByteBuffer) {
        guard data.readableBytes > 0 else { return }
        buffer.writeString(String(data.readableBytes, radix: 16))
        buffer.writeStaticString("\r\n")
        var data = data
        buffer.writeBuffer(&data)
        buffer.writeStaticString("\r\n")
    }

    /// The last chunk and the trailer section.
    package static func writeLastChunk(trailers: HTTPFields?, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("0\r\n")
        writeFields(trailers ?? [:], into: &buffer)
    }

    /// Field lines and the empty line that ends the section.
    package static func writeFields(_ fields: HTTPFields, into buffer: inout ByteBuffer) {
        writeFieldLines(fields, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    /// The lines of the fields `include` accepts, without the empty line that ends the section: a writer that
    /// replaces some fields writes the others here and its own after, instead of editing a copy of the list.
    package static func writeFieldLines(
        _ fields: HTTPFields, into buffer: inout ByteBuffer, where include: (HTTPField) -> Bool = { _ in true }
    ) {
        for field in fields where include(field) {
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            _ = field.withUnsafeBytesOfValue { buffer.writeBytes($0) }
            buffer.writeStaticString("\r\n")
        }
    }
}
