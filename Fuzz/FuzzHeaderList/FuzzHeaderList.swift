import CORSCore
import FuzzSupport
import HTTPTypes

let policy = try! CORSPolicy(allowOrigins: ["https://app.example.com"], allowHeaders: ["x-a", "content-type"])

/// The header-list parser (directly, and as a preflight's `Access-Control-Request-Headers`), the safelist and the
/// forbidden-header rules, on arbitrary field lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var fields: HTTPFields = [.origin: "https://app.example.com", .accessControlRequestMethod: "GET"]
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(64) {
        fields.append(HTTPField(name: .accessControlRequestHeaders, lenientValue: Array(line)))
        fields.append(HTTPField(name: .contentType, lenientValue: Array(line)))
    }
    if case .success(let values)? = HeaderList.values(.accessControlRequestHeaders, in: fields) {
        precondition(values.count <= HeaderList.Limits.default.maximumElements)
    }
    let decision = policy.evaluate(
        HTTPRequest(method: .options, scheme: "https", authority: "a", path: "/", headerFields: fields))
    precondition(decision.kind == .preflight)
    for field in fields.prefix(8) {
        _ = Fetch.isCORSSafelistedRequestHeader(name: .range, value: field.value)
        _ = Fetch.isForbiddenRequestHeader(name: HTTPField.Name("X-HTTP-Method-Override")!, value: field.value)
    }
    return 0
}

@_cdecl("FuzzHeaderList_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
