package import HTTPTypes
package import NIOCore

/// A strict, incremental HTTP/1.1 parser (RFC 9112): bytes in, message events out, no I/O.
///
/// One parser reads one direction of one connection: requests (`.server`) or responses (`.client`). Feed it the
/// bytes received so far; each ``next(_:)`` consumes what it can and returns one event, or `nil` when it needs more.
/// Work and memory are bounded by ``HTTP1Limits``; a section is scanned once however slowly it arrives; body bytes
/// are handed out as slices of the input, never copied.
///
/// Strict means: only `CR LF` ends a line, field lines never fold, a field name is followed by `:` directly, values
/// have no control characters, `Content-Length` is one decimal number, a request's `Transfer-Encoding` is `chunked`
/// alone and never comes with `Content-Length`, chunk-size lines are hex digits with optional extensions. Anything
/// else is an ``HTTP1Error`` — never a guess that another parser could make differently.
package struct HTTP1Parser: Sendable {
    package enum Role: Sendable {
        /// Parses requests.
        case server
        /// Parses responses.
        case client
    }

    package enum Event: Sendable, Hashable {
        /// A header section. A 1xx response head is interim: no body and no ``end(_:)`` follow it.
        case head(HTTP1Head)
        case body(ByteBuffer)
        /// The end of the message, with its trailer section if it had one.
        case end(HTTPFields?)
    }

    private enum State: Sendable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case failed(HTTP1Error)
    }

    package let role: Role
    package let limits: HTTP1Limits
    /// Client role: the response about to be read answers a `HEAD` request, so it has no body whatever its fields
    /// say (RFC 9112 §6.3). Set before the response arrives.
    package var respondingToHEAD = false
    private var state = State.head
    private var section = SectionScanner()
    private var chunkLineScanned = 0
    private var bodyBytes = 0

    package init(role: Role, limits: HTTP1Limits = HTTP1Limits()) {
        self.role = role
        self.limits = limits
    }

    /// Whether no byte of a next message has been read: the peer may close here without losing anything.
    package var isBetweenMessages: Bool {
        if case .head = state { return section.offset == 0 }
        return false
    }

    /// The next event from `buffer`, consuming the bytes it used; `nil` when more bytes are needed.
    package mutating func next(_ buffer: inout ByteBuffer) throws(HTTP1Error) -> Event? {
        do {
            return try step(&buffer)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// The connection's input ended: the end of a body delimited by the close, `nil` between messages, or an
    /// error when a message was cut short.
    package mutating func finish() throws(HTTP1Error) -> Event? {
        switch state {
        case .untilClose:
            state = .head
            return .end(nil)
        case .head where section.offset == 0:
            return nil
        case .failed(let error):
            throw error
        default:
            state = .failed(.truncated)
            throw .truncated
        }
    }

    private mutating func step(_ buffer: inout ByteBuffer) throws(HTTP1Error) -> Event? {
        switch state {
        case .failed(let error):
            throw error
        case .head:
            let limits = limits
            let isServer = role == .server
            guard
                let length = try buffer.withReadableBytes({ (bytes) throws(HTTP1Error) in
                    try section.scan(bytes, limits: limits, firstLineIsTarget: isServer)
                })
            else { return nil }
            let lines = section.lines
            let head = try buffer.withReadableBytes { (bytes) throws(HTTP1Error) in try parseHead(bytes, lines: lines) }
            buffer.moveReaderIndex(forwardBy: length)
            section.reset()
            bodyBytes = 0
            switch head.framing {
            case .empty:
                // A 1xx response is interim: the final response follows, still in the head state.
                if case .response(let status, _) = head.startLine, (100..<200).contains(status) { return .head(head) }
                state = .fixed(remaining: 0)
            case .length(let length): state = .fixed(remaining: length)
            case .chunked: state = .chunkSize
            case .untilClose: state = .untilClose
            }
            return .head(head)
        case .fixed(let remaining):
            if remaining == 0 {
                state = .head
                return .end(nil)
            }
            guard buffer.readableBytes > 0 else { return nil }
            let count = min(remaining, buffer.readableBytes)
            state = .fixed(remaining: remaining - count)
            return .body(buffer.readSlice(length: count)!)
        case .untilClose:
            guard buffer.readableBytes > 0 else { return nil }
            return .body(buffer.readSlice(length: buffer.readableBytes)!)
        case .chunkSize:
            guard let size = try readChunkSize(&buffer) else { return nil }
            if size == 0 {
                state = .trailers
                return try step(&buffer)
            }
            try countBody(size)
            state = .chunkData(remaining: size)
            return try step(&buffer)
        case .chunkData(let remaining):
            guard buffer.readableBytes > 0 else { return nil }
            let count = min(remaining, buffer.readableBytes)
            state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
            return .body(buffer.readSlice(length: count)!)
        case .chunkDataEnd:
            guard buffer.readableBytes >= 2 else { return nil }
            guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw .invalidChunk }
            state = .chunkSize
            return try step(&buffer)
        case .trailers:
            let limits = limits
            guard
                let length = try buffer.withReadableBytes({ (bytes) throws(HTTP1Error) in
                    try section.scan(bytes, limits: limits, firstLineIsTarget: false, startsWithLine: false)
                })
            else { return nil }
            let lines = section.lines
            let trailers = try buffer.withReadableBytes { (bytes) throws(HTTP1Error) in
                // Framing fields in trailers mean nothing (RFC 9110 §6.5.1): what they would say is not read.
                var ignored = FramingFields()
                return try parseFields(bytes, lines: lines[...], summary: &ignored)
            }
            buffer.moveReaderIndex(forwardBy: length)
            section.reset()
            state = .head
            return .end(trailers.isEmpty ? nil : trailers)
        }
    }

    private mutating func countBody(_ count: Int) throws(HTTP1Error) {
        bodyBytes += count
        if role == .server, let max = limits.maxBodyBytes, bodyBytes > max { throw .bodyTooLarge }
    }

    // MARK: Header section

    private func parseHead(_ bytes: UnsafeRawBufferPointer, lines: [Range<Int>]) throws(HTTP1Error) -> HTTP1Head {
        let startLine = bytes[lines[0]]
        var summary = FramingFields()
        let fields = try parseFields(bytes, lines: lines.dropFirst(), summary: &summary)
        switch role {
        case .server:
            let (method, target, minor) = try Self.parseRequestLine(startLine)
            let framing = try requestFraming(summary, minorVersion: minor)
            try summary.checkHost(minorVersion: minor)
            return HTTP1Head(
                startLine: .request(method: method, target: target), minorVersion: minor, fields: fields,
                framing: framing, keepAlive: summary.keepAlive(minorVersion: minor))
        case .client:
            let (status, reason, minor) = try Self.parseStatusLine(startLine)
            return HTTP1Head(
                startLine: .response(status: status, reason: reason), minorVersion: minor, fields: fields,
                framing: try responseFraming(summary, status: status), keepAlive: summary.keepAlive(minorVersion: minor)
            )
        }
    }

    /// The field lines as `HTTPFields`; what the framing and connection rules read is gathered into `summary` from
    /// the same bytes on the way, so that no rule scans the fields again.
    private func parseFields(
        _ bytes: UnsafeRawBufferPointer, lines: ArraySlice<Range<Int>>, summary: inout FramingFields
    ) throws(HTTP1Error) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(lines.count)
        for line in lines {
            let lower = line.lowerBound
            let upper = line.upperBound
            guard !Byte.isSpaceOrTab(bytes[lower]) else { throw .obsoleteLineFolding }
            guard let colon = bytes[lower..<upper].firstIndex(of: Byte.colon), colon > lower else {
                throw .invalidFieldName
            }
            let nameBytes = bytes[lower..<colon]
            guard nameBytes.allSatisfy(Byte.isToken),
                let name = HTTPField.Name(String(decoding: nameBytes, as: UTF8.self))
            else { throw .invalidFieldName }
            var start = colon + 1
            var end = upper
            while start < end, Byte.isSpaceOrTab(bytes[start]) { start += 1 }
            while end > start, Byte.isSpaceOrTab(bytes[end - 1]) { end -= 1 }
            let value = bytes[start..<end]
            guard value.allSatisfy(Byte.isFieldValue) else { throw .invalidFieldValue }
            summary.read(name: nameBytes, value: value)
            fields.append(HTTPField(name: name, lenientValue: value))
        }
        return fields
    }

    private typealias Bytes = Slice<UnsafeRawBufferPointer>

    /// `method SP request-target SP HTTP-version`, single spaces only (RFC 9112 §3).
    private static func parseRequestLine(_ line: Bytes) throws(HTTP1Error) -> (HTTPRequest.Method, String, Int) {
        guard let parts = splitAtSpaces(line), let version = parts.rest else { throw .invalidStartLine }
        let minor = try parseVersion(version)
        guard parts.first.allSatisfy(Byte.isToken), !parts.first.isEmpty,
            let method = HTTPRequest.Method(String(decoding: parts.first, as: UTF8.self))
        else { throw .invalidMethod }
        let target = parts.second
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != Byte.hash }) else {
            throw .invalidTarget
        }
        let isForm =
            target.first == UInt8(ascii: "/") || (target.elementsEqual("*".utf8) && method == .options)
            || startsWithLowercased(target, "http://") || startsWithLowercased(target, "https://")
        guard isForm else { throw .invalidTarget }
        return (method, String(decoding: target, as: UTF8.self), minor)
    }

    /// Whether `bytes` starts with `prefix` (lowercase ASCII), ignoring ASCII case.
    private static func startsWithLowercased(_ bytes: Bytes, _ prefix: String) -> Bool {
        bytes.count >= prefix.utf8.count && Byte.equalsLowercase(bytes.prefix(prefix.utf8.count), prefix.utf8)
    }

    /// `HTTP-version SP status-code SP [reason-phrase]`; the space before an empty reason may be missing, as some
    /// servers send it.
    private static func parseStatusLine(_ line: Bytes) throws(HTTP1Error) -> (Int, String, Int) {
        guard let parts = splitAtSpaces(line) else { throw .invalidStartLine }
        let minor = try parseVersion(parts.first)
        let code = parts.second
        guard code.count == 3, code.allSatisfy(Byte.isDigit), code.first! >= UInt8(ascii: "1") else {
            throw .invalidStartLine
        }
        let status = code.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let reason = parts.rest ?? line[line.endIndex...]
        guard reason.allSatisfy(Byte.isFieldValue) else { throw .invalidStartLine }
        return (status, String(decoding: reason, as: UTF8.self), minor)
    }

    /// The line cut at its first two spaces: what comes before the first, between the two, and after the second
    /// (`nil` when there is one space only), as `split(separator:maxSplits: 2, omittingEmptySubsequences: false)`
    /// would cut it, without building an array; `nil` without a space.
    private static func splitAtSpaces(_ line: Bytes) -> (first: Bytes, second: Bytes, rest: Bytes?)? {
        guard let firstSpace = line.firstIndex(of: Byte.space) else { return nil }
        let afterFirst = firstSpace + 1
        guard let secondSpace = line[afterFirst...].firstIndex(of: Byte.space) else {
            return (line[..<firstSpace], line[afterFirst...], nil)
        }
        return (line[..<firstSpace], line[afterFirst..<secondSpace], line[(secondSpace + 1)...])
    }

    private static func parseVersion(_ version: Bytes) throws(HTTP1Error) -> Int {
        guard version.count == 8 else { throw .invalidStartLine }
        func byte(_ offset: Int) -> UInt8 { version[version.startIndex + offset] }
        guard version.prefix(5).elementsEqual("HTTP/".utf8), Byte.isDigit(byte(5)), byte(6) == UInt8(ascii: "."),
            Byte.isDigit(byte(7))
        else { throw .invalidStartLine }
        guard byte(5) == UInt8(ascii: "1"), byte(7) <= UInt8(ascii: "1") else { throw .unsupportedVersion }
        return Int(byte(7) - UInt8(ascii: "0"))
    }

    // MARK: Framing

    /// RFC 9112 §6.3, for requests: `Transfer-Encoding: chunked` alone, or one `Content-Length`, or no body.
    private func requestFraming(_ summary: FramingFields, minorVersion: Int) throws(HTTP1Error) -> HTTP1Framing {
        let length = try summary.contentLength()
        if summary.transferEncoding {
            if minorVersion == 0 { throw .transferEncodingInHTTP10 }
            if length != nil { throw .contentLengthWithTransferEncoding }
            guard summary.lastCodingIsChunked, summary.chunkedCodings == 1 else { throw .transferEncodingNotChunked }
            guard summary.codings == 1 else { throw .unsupportedTransferCoding }
            return .chunked
        }
        guard let length else { return .empty }
        if let max = limits.maxBodyBytes, length > max { throw .bodyTooLarge }
        return .length(length)
    }

    /// RFC 9112 §6.3, for responses: no body for `HEAD`, 1xx, 204 and 304; then `chunked`, `Content-Length`, or
    /// until the connection closes. A response that has both, or another coding, is refused rather than guessed.
    private func responseFraming(_ summary: FramingFields, status: Int) throws(HTTP1Error) -> HTTP1Framing {
        if status == 101 { throw .unexpectedSwitchingProtocols }
        if respondingToHEAD || (100..<200).contains(status) || status == 204 || status == 304 { return .empty }
        let length = try summary.contentLength()
        if summary.transferEncoding {
            if length != nil { throw .contentLengthWithTransferEncoding }
            guard summary.codings == 1, summary.chunkedCodings == 1 else { throw .unsupportedTransferCoding }
            return .chunked
        }
        return length.map { .length($0) } ?? .untilClose
    }

    // MARK: Chunks

    /// `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1): 1 to 15 hex digits, then nothing or whitespace and `;`
    /// extensions (read and ignored). Returns `nil` until the whole line has arrived.
    private mutating func readChunkSize(_ buffer: inout ByteBuffer) throws(HTTP1Error) -> Int? {
        let view = buffer.readableBytesView
        let searched = view.prefix(limits.maxChunkLineBytes).dropFirst(chunkLineScanned)
        guard let lineFeed = searched.firstIndex(of: Byte.lineFeed) else {
            if view.count >= limits.maxChunkLineBytes { throw .invalidChunk }
            chunkLineScanned = view.count
            return nil
        }
        chunkLineScanned = 0
        guard lineFeed > view.startIndex, view[lineFeed - 1] == Byte.carriageReturn else { throw .invalidChunk }
        let line = view[view.startIndex..<(lineFeed - 1)]
        let digits = line.prefix(while: { Byte.hexValue($0) != nil })
        guard !digits.isEmpty, digits.count <= 15 else { throw .invalidChunk }
        var rest = line[digits.endIndex...]
        while let first = rest.first, Byte.isSpaceOrTab(first) { rest = rest.dropFirst() }
        guard rest.isEmpty || (rest.first == UInt8(ascii: ";") && rest.allSatisfy(Byte.isFieldValue)) else {
            throw .invalidChunk
        }
        let size = digits.reduce(0) { $0 << 4 | Byte.hexValue($1)! }
        buffer.moveReaderIndex(forwardBy: lineFeed + 1 - view.startIndex)
        return size
    }
}

extension ByteBuffer {
    /// `body` on the readable bytes where they are, keeping its typed error. Slices of a `ByteBufferView` would each
    /// retain the buffer's storage, and a head is cut into dozens of them.
    fileprivate func withReadableBytes<T>(
        _ body: (UnsafeRawBufferPointer) throws(HTTP1Error) -> T
    ) throws(HTTP1Error) -> T {
        try withUnsafeReadableBytes { bytes in Result { () throws(HTTP1Error) in try body(bytes) } }.get()
    }
}

/// Progress through a header or trailer section: complete lines so far, and how far the bytes have been scanned,
/// so that a section arriving a byte at a time is still scanned once.
private struct SectionScanner: Sendable {
    var offset = 0
    var lineStart = 0
    var lines: [Range<Int>] = []

    /// Ready for the next section, as a new scanner, but keeping the lines' storage (a connection's heads then
    /// allocate none for it).
    mutating func reset() {
        var lines = self.lines
        self = SectionScanner()
        lines.removeAll(keepingCapacity: true)
        self.lines = lines
    }

    /// The section's length, line endings and the final empty line included, once it has all arrived.
    mutating func scan(
        _ view: UnsafeRawBufferPointer, limits: HTTP1Limits, firstLineIsTarget: Bool, startsWithLine: Bool = true
    ) throws(HTTP1Error) -> Int? {
        while offset < view.count {
            guard let lineFeed = view[offset...].firstIndex(of: Byte.lineFeed) else {
                offset = view.count
                try check(lineLength: offset - lineStart, limits: limits, firstLineIsTarget: firstLineIsTarget)
                return nil
            }
            offset = lineFeed + 1
            guard lineFeed > lineStart, view[lineFeed - 1] == Byte.carriageReturn else { throw .bareLineFeed }
            let line = lineStart..<(lineFeed - 1)
            lineStart = offset
            if line.isEmpty {
                // RFC 9112 §2.2: empty lines before the start line are ignored (within the size limit).
                if startsWithLine && lines.isEmpty {
                    if offset > limits.maxHeadBytes { throw .headTooLarge }
                    continue
                }
                return offset
            }
            try check(lineLength: line.count, limits: limits, firstLineIsTarget: firstLineIsTarget)
            guard !view[line].contains(Byte.carriageReturn) else { throw .bareCarriageReturn }
            lines.append(line)
            if lines.count > limits.maxFields + (startsWithLine ? 1 : 0) { throw .tooManyFields }
            if offset > limits.maxHeadBytes { throw .headTooLarge }
        }
        return nil
    }

    private func check(lineLength: Int, limits: HTTP1Limits, firstLineIsTarget: Bool) throws(HTTP1Error) {
        if offset > limits.maxHeadBytes { throw .headTooLarge }
        if lineLength > limits.maxLineBytes {
            throw lines.isEmpty && firstLineIsTarget ? .targetTooLong : .fieldLineTooLong
        }
    }
}
