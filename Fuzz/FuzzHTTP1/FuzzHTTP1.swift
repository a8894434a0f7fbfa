import FuzzSupport
import HTTP1WireUnderTest
import HTTPTypes
import NIOCore

/// The HTTP/1.1 parser on arbitrary bytes. Besides not crashing or hanging, it must read the same messages whether
/// the bytes arrive at once or in pieces (a parser that depends on packet boundaries can be made to desynchronize
/// from another), and what it accepts must serialize and parse back to the same head.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 2 else { return 0 }
    let role: HTTP1Parser.Role = data[0] & 1 == 0 ? .server : .client
    let piece = Int(data[1] % 17) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let whole = read(bytes, role: role, piece: bytes.count)
    let pieces = read(bytes, role: role, piece: piece)
    precondition(whole.messages == pieces.messages && whole.error == pieces.error, "pieces change the reading")
    if role == .server, whole.error == nil {
        for (head, body) in whole.messages {
            guard case .request(let method, let target) = head.startLine else { continue }
            var fields = head.fields
            fields[.contentLength] = nil
            fields[.transferEncoding] = nil
            if !body.isEmpty { fields[.transferEncoding] = "chunked" }
            // What is written is always HTTP/1.1, which needs a Host even where the HTTP/1.0 original had none.
            if fields[HTTP1Authority.host] == nil { fields[HTTP1Authority.host] = "fuzz.example" }
            var buffer = ByteBuffer()
            HTTP1Serializer.writeRequestHead(method: method, target: target, fields: fields, into: &buffer)
            if !body.isEmpty {
                HTTP1Serializer.writeChunk(ByteBuffer(bytes: body), into: &buffer)
                HTTP1Serializer.writeLastChunk(trailers: nil, into: &buffer)
            }
            let again = read(Array(buffer.readableBytesView), role: .server, piece: 7)
            precondition(again.error == nil && again.messages.first?.1 == body, "the serialized request reads back")
            precondition(again.messages.first?.0.fields == fields, "field bytes survive")
        }
    }
    return 0
}

func read(_ bytes: [UInt8], role: HTTP1Parser.Role, piece: Int) -> (messages: [(HTTP1Head, [UInt8])], error: String?) {
    var parser = HTTP1Parser(role: role)
    var buffer = ByteBuffer()
    var messages: [(HTTP1Head, [UInt8])] = []
    var offset = 0
    do {
        while offset < bytes.count {
            let end = min(bytes.count, offset + piece)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            while let event = try parser.next(&buffer) {
                switch event {
                case .head(let head): messages.append((head, []))
                case .body(let slice): messages[messages.count - 1].1 += slice.readableBytesView
                case .end: break
                }
            }
        }
        _ = try parser.finish()
    } catch {
        return (messages, error.code)
    }
    return (messages, nil)
}

extension Array where Element == (HTTP1Head, [UInt8]) {
    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

@_cdecl("FuzzHTTP1_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
