import HTTPTypes
import NIOCore

/// Without an upstream, the gateway echoes: any path and method gives 200 with a JSON description of the request,
/// so a policy can be tried from a browser.
enum EchoResponder {
    /// The answer to `request`, whose body had `bodyBytes` bytes.
    static func response(to request: HTTPRequest, bodyBytes: Int) -> GatewayResponse {
        let target = request.path ?? "/"
        let question = target.firstIndex(of: "?")
        let json = JSONOutput.encode(
            Echo(
                method: request.method.rawValue, path: String(target[..<(question ?? target.endIndex)]),
                query: OrNull(question.map { String(target[target.index(after: $0)...]) }),
                headers: request.headerFields.map { FieldJSON(name: $0.name.rawName, value: $0.value) },
                bodyBytes: bodyBytes))
        return GatewayResponse(
            head: HTTPResponse(status: .ok, headerFields: [.contentType: "application/json"]),
            body: ByteBuffer(string: json))
    }
}

/// What the echo service answers: the request as the gateway received it.
private struct Echo: Encodable {
    let method: String
    let path: String
    let query: OrNull<String>
    let headers: [FieldJSON]
    let bodyBytes: Int
}
