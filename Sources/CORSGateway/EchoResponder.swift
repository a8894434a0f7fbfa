package import Hummingbird
import NIOCore

/// Without an upstream, the gateway echoes: any path and method gives 200 with a JSON description of the request,
/// so a policy can be tried from a browser.
package enum EchoResponder {
    package static func respond(to request: Request, context: GatewayContext) async throws -> Response {
        var bodyBytes = 0
        for try await buffer in request.body { bodyBytes += buffer.readableBytes }
        let json = JSONOutput.encode(
            Echo(
                method: request.method.rawValue, path: request.uri.path, query: OrNull(request.uri.query),
                headers: request.headers.map { FieldJSON(name: $0.name.rawName, value: $0.value) }, bodyBytes: bodyBytes
            ))
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
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
