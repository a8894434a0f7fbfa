import HTTP1Wire
import HTTPTypes
package import Logging
import NIOCore
import NIOHTTPTypes

/// Where and how requests are forwarded: the upstream's connection pool, the forwarding fields, the limits. Each
/// request's exchange is a ``ProxyExchange``.
///
/// The request's path is the canonical one the policy judged (see ``GatewayAdmission``), appended to the upstream's
/// base path. Hop-by-hop fields are dropped both ways (RFC 9110 §7.6.1), `Forwarded` and `X-Forwarded-*` are set as
/// ``Forwarding`` says, field bytes are forwarded as received. Each failure of the upstream is an answer with a
/// status and a reason code (``UpstreamFailure``), which gets the CORS fields like any response, so the page can
/// read it.
///
/// A class: every exchange holds it, and copying a struct of these references cost a retain and a release for each
/// of them on every request.
package final class ReverseProxy: Sendable {
    let pool: UpstreamPool
    let forwarding: Forwarding
    let limits: GatewayLimits
    let logger: Logger

    package init(upstream: UpstreamTarget, forwarding: Forwarding, limits: GatewayLimits, logger: Logger) throws {
        pool = try UpstreamPool(target: upstream, limits: limits)
        self.forwarding = forwarding
        self.limits = limits
        self.logger = logger
    }

    /// Stops lending connections; idle ones are closed.
    package func shutdown() {
        pool.shutdown()
    }

    /// The request as the upstream gets it: target under the base path, `Host` of the upstream, hop-by-hop fields
    /// dropped, the body's framing as the client sent it (chunked, or its `Content-Length`), and the forwarding
    /// fields. `client` is the client's address, when known.
    func upstreamRequest(for request: HTTPRequest, client: String?) -> HTTPRequest {
        let original = request.headerFields
        // One pass drops hop-by-hop fields, the client's forwarding fields (unless trusted) and Content-Length (set
        // again below), leaving room for what is appended.
        var fields = HopByHop.removed(from: original, reserving: 5) { name in
            name == "content-length" || forwarding.drops(name)
        }
        if original.contains(.transferEncoding) {
            fields.append(HTTPField(name: .transferEncoding, value: "chunked"))
        } else if let length = original.contentLength {
            // One number, however the client repeated it (RFC 9110 §8.6).
            fields.append(HTTPField(name: .contentLength, value: String(length)))
        }
        forwarding.apply(to: &fields, client: client, host: request.authority, proto: forwarding.proto)
        let target = pool.target
        return HTTPRequest(
            method: request.method, scheme: nil, authority: target.authority,
            path: target.basePath + (request.path ?? "/"), headerFields: fields)
    }

    /// The largest response body read whole before it is forwarded.
    static let bufferedBodyLimit = 64 * 1024

    /// The gateway's answer to a failed exchange, logged as a warning.
    func failure(_ failure: UpstreamFailure) -> GatewayResponse {
        logger.warning(
            "upstream \(pool.target.authority): \(failure.code)",
            metadata: ["detail": .string(String(describing: failure))])
        return GatewayResponses.error(status: failure.status, code: failure.code, message: failure.message)
    }
}

extension HTTP1Head {
    /// A 1xx response: informational, followed by the final response.
    var isInterim: Bool {
        if case .response(let status, _) = startLine { return (100..<200).contains(status) }
        return false
    }
}

extension HTTPRequest {
    /// `Expect: 100-continue` (RFC 9110 §10.1.1): the client waits for a 100 before it sends the body.
    var expectsContinue: Bool {
        headerFields[.expect].map { $0.lowercased() == "100-continue" } ?? false
    }
}

extension HTTPRequest.Method {
    /// RFC 9110 §9.2.2.
    var isIdempotent: Bool {
        [.get, .head, .options, .put, .delete].contains(self) || rawValue == "TRACE"
    }
}

extension UpstreamFailure {
    init(_ error: any Error) {
        switch error {
        case let failure as UpstreamFailure: self = failure
        case is UpstreamTimeout: self = .timeout
        case let error as HTTP1Error: self = .protocolError(error.code)
        default: self = .closed
        }
    }
}
