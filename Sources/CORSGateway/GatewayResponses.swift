import HTTP1Wire
import HTTPTypes
import NIOCore

/// A whole response the gateway writes itself: a head and a body small enough to hold.
struct GatewayResponse {
    var head: HTTPResponse
    var body = ByteBuffer()
}

/// The answers the gateway makes itself: a JSON body `{"error": code, "message": …}` with a stable code, so that a
/// page (through the CORS fields the policy adds) and a log can tell why.
enum GatewayResponses {
    static func error(status: Int, code: String, message: String, close: Bool = false) -> GatewayResponse {
        let body = ByteBuffer(string: JSONOutput.encode(["error": code, "message": message]))
        var fields: HTTPFields = [.contentType: "application/json"]
        if close { fields[.connection] = "close" }
        return GatewayResponse(head: HTTPResponse(status: .init(code: status), headerFields: fields), body: body)
    }

    /// A request the gateway cannot read to the end; the connection closes after the answer.
    static func refusal(_ error: HTTP1Error) -> GatewayResponse {
        Self.error(status: error.status, code: error.code, message: error.description, close: true)
    }
}
