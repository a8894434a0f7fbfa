import CORSCore
import FuzzSupport
import HTTPTypes
import ReferenceEvaluation

/// The engine against the straightforward reference evaluation (Tests/ReferenceEvaluation) on arbitrary requests:
/// the first 8 bytes choose a generated policy, the following lines are the values of `Origin`,
/// `Access-Control-Request-Method` and one or more `Access-Control-Request-Headers` lines. Each request is
/// evaluated twice, so that a remembered preflight answer is compared too. A difference stops the fuzzer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard size >= 8 else { return 0 }
    var generator = RequestGenerator(seed: bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
    let configuration = generator.policy()
    guard let policy = try? CORSPolicy(configuration) else { return 0 }
    let lines = bytes.dropFirst(8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    var fields = HTTPFields()
    for (index, line) in lines.prefix(5).enumerated() {
        let name: HTTPField.Name =
            switch index {
            case 0: .origin
            case 1: .accessControlRequestMethod
            default: .accessControlRequestHeaders
            }
        fields.append(HTTPField(name: name, lenientValue: Array(line)))
    }
    for method in [HTTPRequest.Method.options, .get] {
        let request = HTTPRequest(
            method: method, scheme: "https", authority: "api", path: "/items", headerFields: fields)
        let expected = referenceAnswer(configuration, request)
        for _ in 0..<2 {
            let observed = ObservedAnswer(policy.evaluate(request))
            if observed != expected {
                fatalError(
                    "\(configuration)\n\(request.method) \(fields)\nengine:    \(observed)\nreference: \(expected)")
            }
        }
    }
    return 0
}

@_cdecl("FuzzEvaluation_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
