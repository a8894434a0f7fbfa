import CORSCore
import FuzzSupport
import HTTPTypes

let fixed = try! CORSPolicy(
    allowOrigins: ["https://app.example.com", "https://*.example.org"], allowMethods: ["PUT"],
    allowHeaders: ["content-type", "*"], exposeHeaders: ["x-total"], allowCredentials: true, maxAge: 600,
    routes: [.init(pathPrefix: "/public", allowOrigins: ["*"], allowCredentials: false)])

/// Policy files from arbitrary text, and evaluation of arbitrary request heads: the first line is the path, then
/// Origin, Access-Control-Request-Method and Access-Control-Request-Headers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let policy = (try? CORSPolicy(json: text)) ?? fixed
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    func line(_ index: Int) -> String { index < lines.count ? lines[index] : "" }
    var fields = HTTPFields()
    fields.append(HTTPField(name: .origin, lenientValue: Array(line(1).utf8)))
    fields.append(HTTPField(name: .accessControlRequestMethod, lenientValue: Array(line(2).utf8)))
    fields.append(HTTPField(name: .accessControlRequestHeaders, lenientValue: Array(line(3).utf8)))
    for method in [HTTPRequest.Method.options, .get] {
        let request = HTTPRequest(
            method: method, scheme: "https", authority: "api", path: line(0), headerFields: fields)
        let decision = policy.evaluate(request)
        var response = HTTPFields()
        decision.apply(to: &response)
        _ = decision.immediateResponse
        _ = decision.logMessage(for: request)
    }
    return 0
}

@_cdecl("FuzzPolicy_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
