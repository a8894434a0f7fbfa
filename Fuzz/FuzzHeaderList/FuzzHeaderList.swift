import CORSCore
import FuzzSupport
import HTTPTypes

/// The header-list parser, the safelist and the forbidden-header rules, on arbitrary field lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var fields = HTTPFields()
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(64) {
        fields.append(HTTPField(name: .accessControlRequestHeaders, lenientValue: Array(line)))
        fields.append(HTTPField(name: .contentType, lenientValue: Array(line)))
    }
    var visited = 0
    _ = HeaderList.scan(.accessControlRequestHeaders, in: fields) { _ in
        visited += 1
        return true
    }
    precondition(visited <= HeaderList.Limits.default.maximumElements)
    _ = Fetch.corsUnsafeRequestHeaderNames(fields)
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
