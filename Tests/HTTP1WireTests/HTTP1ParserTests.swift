import HTTP1Wire
import HTTPTypes
import NIOCore
import Testing

/// What the parser makes of `bytes` fed `piece` bytes at a time: the events (body bytes merged), then the error if
/// one was thrown, and the end-of-input event when `close` is set.
struct Parsed: Equatable, CustomStringConvertible {
    var heads: [HTTP1Head] = []
    var bodies: [[UInt8]] = []
    var trailers: [HTTPFields?] = []
    var error: String?

    var description: String {
        "heads \(heads.count) bodies \(bodies.map { String(decoding: $0, as: UTF8.self) }) error \(error ?? "-")"
    }
}

func parse(
    _ text: String, role: HTTP1Parser.Role = .server, piece: Int = .max, close: Bool = false, head: Bool = false,
    limits: HTTP1Limits = HTTP1Limits()
) -> Parsed {
    parse(Array(text.utf8), role: role, piece: piece, close: close, head: head, limits: limits)
}

func parse(
    _ bytes: [UInt8], role: HTTP1Parser.Role = .server, piece: Int = .max, close: Bool = false, head: Bool = false,
    limits: HTTP1Limits = HTTP1Limits()
) -> Parsed {
    var parser = HTTP1Parser(role: role, limits: limits)
    parser.respondingToHEAD = head
    var buffer = ByteBuffer()
    var result = Parsed()
    var current: [UInt8]?
    func handle(_ event: HTTP1Parser.Event) {
        switch event {
        case .head(let head):
            result.heads.append(head)
            if case .response(let status, _) = head.startLine, status < 200 { return }
            current = []
        case .body(let slice): current! += slice.readableBytesView
        case .end(let trailers):
            result.bodies.append(current!)
            result.trailers.append(trailers)
            current = nil
        }
    }
    var offset = 0
    do {
        while offset < bytes.count {
            let end = min(bytes.count, offset + piece)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            while let event = try parser.next(&buffer) { handle(event) }
        }
        if close, let event = try parser.finish() { handle(event) }
    } catch {
        result.error = error.code
    }
    return result
}

@Suite("HTTP1Parser: strict RFC 9112 requests")
struct HTTP1RequestParserTests {
    static let get = "GET /a?b=1 HTTP/1.1\r\nHost: api.example:8080\r\nX-Two: a\r\nx-two: b\r\n\r\n"

    @Test(arguments: [1, 2, 3, 7, 1000])
    func headsArriveInAnyPieces(piece: Int) throws {
        let parsed = parse(Self.get + Self.get, piece: piece)
        #expect(parsed.error == nil)
        #expect(parsed.heads.count == 2 && parsed.bodies == [[], []])
        let head = try #require(parsed.heads.first)
        #expect(head.startLine == .request(method: .get, target: "/a?b=1"))
        #expect(head.minorVersion == 1 && head.keepAlive && head.framing == .empty)
        #expect(head.fields.map(\.name.rawName) == ["Host", "X-Two", "x-two"], "names keep their case and order")
        #expect(head.fields[values: HTTPField.Name("X-Two")!] == ["a", "b"])
    }

    /// Issue #13, item 8: field values are the bytes received, not a UTF-8 repair of them.
    @Test func valueBytesAreKeptAsReceived() throws {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-N: caf".utf8) + [0xE9, 0xFF] + Array("\r\n\r\n".utf8)
        let head = try #require(parse(bytes).heads.first)
        let field = try #require(head.fields.first { $0.name.rawName == "X-N" })
        #expect(field.withUnsafeBytesOfValue { Array($0) } == Array("caf".utf8) + [0xE9, 0xFF])
    }

    /// Names are case-insensitive (RFC 9110 §5.1) but forwarded as they came: a common name in another case than
    /// the usual one keeps its own, and a near miss of a common name is a name of its own.
    @Test func namesKeepTheirCase() throws {
        let text = "GET / HTTP/1.1\r\nhost: a\r\nUser-Agent: x\r\nUSER-AGENT: y\r\nOrigins: z\r\nOrigin: o\r\n\r\n"
        let head = try #require(parse(text).heads.first)
        #expect(head.fields.map(\.name.rawName) == ["host", "User-Agent", "USER-AGENT", "Origins", "Origin"])
        #expect(head.fields[values: .userAgent] == ["x", "y"])
        #expect(head.fields[.origin] == "o")
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nUser Agent: x\r\n\r\n").error == "invalid-field-name")
    }

    @Test(arguments: [1, 5, 1000])
    func contentLengthAndChunkedBodies(piece: Int) throws {
        let text =
            "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
            + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "GET /n HTTP/1.1\r\nHost: a\r\n\r\n"
        let parsed = parse(text, piece: piece)
        #expect(parsed.error == nil)
        #expect(parsed.bodies == [Array("hello world".utf8), Array("hello world".utf8), []])
        #expect(parsed.heads.map(\.framing) == [.length(11), .chunked, .empty])
        #expect(parsed.trailers[1]?[HTTPField.Name("X-Trailer")!] == "t")
        #expect(parsed.trailers[0] == nil)
    }

    @Test func leadingEmptyLinesAreIgnored() {
        #expect(parse("\r\n\r\n" + Self.get).heads.count == 1)
    }

    @Test func connectionAndVersion() throws {
        let close = try #require(
            parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n").heads.first)
        #expect(!close.keepAlive)
        let old = try #require(parse("GET / HTTP/1.0\r\n\r\n").heads.first)
        #expect(old.minorVersion == 0 && !old.keepAlive, "HTTP/1.0 needs no Host and closes by default")
        #expect(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").heads.first?.keepAlive == true)
    }

    /// Field names and tokens in any ASCII case, lists over several lines, and a repeated identical length (RFC 9110
    /// §5.1, §5.6.1, §8.6).
    @Test func framingFieldsInAnyCaseAndForm() {
        let text =
            "POST /a HTTP/1.1\r\nhOsT: a\r\nTRANSFER-ENCODING: \t Chunked \r\nconnection: x, CLOSE\r\n\r\n0\r\n\r\n"
        let chunked = parse(text)
        #expect(chunked.error == nil)
        #expect(chunked.heads.map(\.framing) == [.chunked])
        #expect(chunked.heads.first?.keepAlive == false)
        let repeated = parse(
            "POST /b HTTP/1.1\r\nHost: a\r\ncontent-length: 2, 2\r\nContent-Length: 2\r\n\r\nok", close: true)
        #expect(repeated.error == nil)
        #expect(repeated.heads.map(\.framing) == [.length(2)])
        #expect(repeated.bodies == [Array("ok".utf8)])
        let legacy = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive \r\n\r\n").heads.first
        #expect(legacy?.keepAlive == true)
    }

    @Test(arguments: [
        ("GET http://api.example/a HTTP/1.1\r\nHost: x\r\n\r\n", true), ("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", true),
        ("GET * HTTP/1.1\r\nHost: x\r\n\r\n", false), ("CONNECT api.example:443 HTTP/1.1\r\nHost: x\r\n\r\n", false),
        ("GET ftp://a/ HTTP/1.1\r\nHost: x\r\n\r\n", false),
        // RFC 3986 §3.1: the scheme is case-insensitive.
        ("GET HTTPS://api.example/a HTTP/1.1\r\nHost: x\r\n\r\n", true),
        ("GET http:/a HTTP/1.1\r\nHost: x\r\n\r\n", false), ("GET h HTTP/1.1\r\nHost: x\r\n\r\n", false),
    ])
    func targetForms(text: String, accepted: Bool) {
        let parsed = parse(text)
        #expect((parsed.error == nil) == accepted, "\(parsed)")
        if !accepted { #expect(parsed.error == "invalid-target") }
    }

    /// Each is refused, with the status a server answers: these are the inputs two parsers are known to read
    /// differently (RFC 9112 §11.2, and the smuggling vectors of PortSwigger's and the HTTP Garden's research).
    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: a\n\n", "bare-line-feed"),
        ("GET / HTTP/1.1\r\nHost: a\n\r\n", "bare-line-feed"),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", "bare-carriage-return"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "obsolete-line-folding"),
        ("GET / HTTP/1.1\r\n Host: a\r\n\r\n", "obsolete-line-folding"),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "invalid-field-name"),
        ("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", "invalid-field-name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX(: b\r\n\r\n", "invalid-field-name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", "invalid-field-value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7f}\r\n\r\n", "invalid-field-value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1b}\r\n\r\n", "invalid-field-value"),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "content-length-with-transfer-encoding"
        ),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "transfer-encoding-not-chunked"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "transfer-encoding-not-chunked"),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "transfer-encoding-not-chunked"
        ),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "unsupported-transfer-coding"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", "transfer-encoding-not-chunked"),
        // A token is ASCII (RFC 9110 §5.6.2): the Kelvin sign is not a `k`, though Unicode lowercases it to one.
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun\u{212A}ed\r\n\r\n", "transfer-encoding-not-chunked"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", "invalid-content-length"),
        ("GET / HTTP/1.1\r\nHOST: a\r\nhost: a\r\n\r\n", "multiple-hosts"),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "transfer-encoding-in-http-1.0"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\n", "invalid-content-length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "invalid-content-length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", "invalid-content-length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x1\r\n\r\n", "invalid-content-length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", "invalid-content-length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", "invalid-content-length"),
        ("GET / HTTP/1.1\r\n\r\n", "missing-host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "multiple-hosts"),
        ("GET / HTTP/1.1\r\nHost: x\", for=6.6.6.6\r\n\r\n", "invalid-host"),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "invalid-host"),
        ("GET / HTTP/1.1\r\nHost: a:port\r\n\r\n", "invalid-host"),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", "unsupported-version"),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", "invalid-start-line"),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "invalid-start-line"),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", "invalid-start-line"),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", "invalid-method"),
        ("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", "invalid-target"),
        ("GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n", "invalid-target"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", "invalid-chunk"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", "invalid-chunk"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", "invalid-chunk"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", "invalid-chunk"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n", "invalid-chunk"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", "invalid-chunk"),
    ])
    func refused(text: String, code: String) {
        #expect(parse(text).error == code)
        #expect(parse(text, piece: 1).error == code, "the same, a byte at a time")
    }

    @Test func limits() {
        var limits = HTTP1Limits()
        limits.maxFields = 3
        limits.maxLineBytes = 64
        limits.maxHeadBytes = 200
        limits.maxChunkLineBytes = 16
        limits.maxBodyBytes = 10
        let fields = (0..<4).map { "X-\($0): v\r\n" }.joined()
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n", limits: limits).error == "too-many-fields")
        #expect(
            parse("GET /\(String(repeating: "a", count: 64)) HTTP/1.1\r\n", limits: limits).error == "target-too-long")
        #expect(
            parse("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 64))", piece: 1, limits: limits).error
                == "field-line-too-long", "refused before the line ends")
        let big = (0..<3).map { _ in "X: \(String(repeating: "a", count: 60))\r\n" }.joined()
        #expect(parse("GET / HTTP/1.1\r\n\(big)", limits: limits).error == "head-too-large")
        #expect(
            parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: limits).error == "body-too-large")
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(parse(chunked + "6\r\nhello!\r\n6\r\nhello!\r\n", limits: limits).error == "body-too-large")
        #expect(parse(chunked + "1;\(String(repeating: "x", count: 20))", limits: limits).error == "invalid-chunk")
    }

    @Test func endOfInput() {
        #expect(parse(Self.get, close: true).error == nil, "a close between messages loses nothing")
        #expect(parse("GET / HTTP/1.1\r\nHo", close: true).error == "truncated")
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab", close: true).error == "truncated")
    }
}

@Suite("HTTP1Parser: responses")
struct HTTP1ResponseParserTests {
    @Test(arguments: [1, 1000])
    func framingFollowsTheRequestAndTheStatus(piece: Int) {
        let text =
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            + "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
            + "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "HTTP/1.1 200\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
            + "HTTP/1.0 200 OK\r\n\r\nuntil the end"
        let parsed = parse(text, role: .client, piece: piece, close: true)
        #expect(parsed.error == nil)
        #expect(parsed.heads.count == 7)
        #expect(parsed.bodies.map { String(decoding: $0, as: UTF8.self) } == ["ok", "", "", "hi", "until the end"])
        #expect(parsed.heads.last?.keepAlive == false)
    }

    @Test func aResponseToHEADHasNoBody() {
        let parsed = parse("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", role: .client, head: true)
        #expect(parsed.error == nil && parsed.bodies == [[]])
    }

    @Test(arguments: [
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "unexpected-101"),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
            "content-length-with-transfer-encoding"
        ),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "unsupported-transfer-coding"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported-transfer-coding"),
        ("HTTP/1.1 20 OK\r\n\r\n", "invalid-start-line"), ("HTTP/1.1 099 x\r\n\r\n", "invalid-start-line"),
        ("HTTP/1.1 200 O\u{0}K\r\n\r\n", "invalid-start-line"),
    ])
    func refused(text: String, code: String) {
        #expect(parse(text, role: .client).error == code)
    }
}

@Suite("HTTP1Serializer: what it writes parses back the same")
struct HTTP1SerializerTests {
    @Test func roundTrip() throws {
        var fields = HTTPFields()
        fields.append(HTTPField(name: HTTP1Authority.host, value: "api.example"))
        fields.append(HTTPField(name: HTTPField.Name("X-Raw")!, lenientValue: [0x63, 0xE9, 0xFF]))
        fields.append(HTTPField(name: .transferEncoding, value: "chunked"))
        var buffer = ByteBuffer()
        HTTP1Serializer.writeRequestHead(method: .post, target: "/a?b", fields: fields, into: &buffer)
        HTTP1Serializer.writeChunk(ByteBuffer(string: "hello "), into: &buffer)
        HTTP1Serializer.writeChunk(ByteBuffer(), into: &buffer)
        HTTP1Serializer.writeChunk(ByteBuffer(string: "world"), into: &buffer)
        HTTP1Serializer.writeLastChunk(trailers: [HTTPField.Name("X-T")!: "1"], into: &buffer)
        let parsed = parse(Array(buffer.readableBytesView))
        #expect(parsed.error == nil)
        let head = try #require(parsed.heads.first)
        #expect(head.startLine == .request(method: .post, target: "/a?b"))
        #expect(head.fields == fields)
        #expect(parsed.bodies == [Array("hello world".utf8)])
        #expect(parsed.trailers == [[HTTPField.Name("X-T")!: "1"]])

        var response = ByteBuffer()
        HTTP1Serializer.writeResponseHead(
            status: .init(code: 418, reasonPhrase: "I'm a teapot"), fields: [.contentLength: "0"], into: &response)
        let answer = parse(Array(response.readableBytesView), role: .client)
        #expect(answer.heads.first?.startLine == .response(status: 418, reason: "I'm a teapot"))
    }
}
