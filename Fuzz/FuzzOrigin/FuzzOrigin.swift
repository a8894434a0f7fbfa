import CORSCore
import FuzzSupport

let set = OriginSet(
    ["https://app.example.com", "https://*.example.org", "http://localhost:*", "http://[::1]:8080"].map {
        try! OriginPattern($0)
    })

/// Origin parsing from header values and URLs, pattern analysis, and set lookups, on arbitrary text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let origin = Origin(headerValue: text) {
        precondition(origin.isOpaque || Origin(headerValue: origin.serialization) == origin, "serialization round trip")
        _ = set.contains(origin)
    }
    _ = set.contains(headerValue: text)
    if let origin = try? Origin(url: text) { _ = origin.serialization }
    if let pattern = try? OriginPattern(text) { _ = OriginSet([pattern]).contains(headerValue: text) }
    return 0
}

@_cdecl("FuzzOrigin_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
