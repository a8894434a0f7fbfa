import CORSCore
import FuzzSupport
import HTTPTypes

/// The browser model's response handling: arbitrary responses (status from the first bytes, then `name: value`
/// lines) fed to a preflighted fetch, for every hop it asks for, up to a bound.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let status = 100 + Int(bytes.first ?? 0) % 500 + (bytes.count > 1 ? Int(bytes[1] % 2) * 100 : 0)
    var fields = HTTPFields()
    for line in bytes.dropFirst(2).split(separator: UInt8(ascii: "\n")).prefix(32) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
            let name = HTTPField.Name(String(decoding: line[line.startIndex..<colon], as: UTF8.self))
        else { continue }
        fields.append(HTTPField(name: name, lenientValue: Array(line[line.index(after: colon)...])))
    }
    let response = HTTPResponse(status: HTTPResponse.Status(code: min(max(status, 100), 999)), headerFields: fields)
    let request = CrossOriginRequest(
        origin: Origin(headerValue: "https://app.example.com")!, url: "https://api.example.net/items", method: .put,
        headerFields: [.contentType: "application/json", .authorization: "x"], credentials: .include)
    for profile in [BrowserProfile.chromium, .spec] {
        var fetch = BrowserFetch(request, profile: profile, cache: PreflightCache())
        var action = fetch.start()
        var hops = 0
        while case .send = action, hops < 30 {
            hops += 1
            action = fetch.receive(response)
        }
        precondition(hops < 30, "the model must stop: at most 20 redirects")
    }
    return 0
}

@_cdecl("FuzzBrowser_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
