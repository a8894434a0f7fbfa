import CORSCore
package import Hummingbird
import NIOCore

/// Without an upstream, the gateway echoes: any path and method gives 200 with a JSON description of the request,
/// so a policy can be tried from a browser.
package enum EchoResponder {
    package static func respond(to request: Request, context: GatewayContext) async throws -> Response {
        var bodyBytes = 0
        for try await buffer in request.body { bodyBytes += buffer.readableBytes }
        let headers = request.headers.map {
            JSONText.object([("name", JSONText.string($0.name.rawName)), ("value", JSONText.string($0.value))])
        }
        let json = JSONText.object([
            ("method", JSONText.string(request.method.rawValue)), ("path", JSONText.string(request.uri.path)),
            ("query", request.uri.query.map(JSONText.string) ?? "null"), ("headers", JSONText.array(headers)),
            ("bodyBytes", String(bodyBytes)),
        ])
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
