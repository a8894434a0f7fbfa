import HTTP1Wire
import HTTPTypes
import Hummingbird
import NIOCore

/// The answers the gateway makes itself: a JSON body `{"error": code, "message": …}` with a stable code, so that a
/// page (through the CORS fields the policy adds) and a log can tell why.
enum GatewayResponses {
    static func error(status: Int, code: String, message: String, close: Bool = false) -> Response {
        var fields: HTTPFields = [.contentType: "application/json"]
        if close { fields[.connection] = "close" }
        return Response(
            status: .init(code: status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: JSONOutput.encode(["error": code, "message": message]))))
    }

    /// A request the gateway cannot read to the end; the connection closes after the answer.
    static func refusal(_ error: HTTP1Error) -> Response {
        Self.error(status: error.status, code: error.code, message: error.description, close: true)
    }
}
