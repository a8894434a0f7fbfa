import HTTP1Wire
import HTTPTypes
package import Hummingbird
package import Logging
import NIOCore
import NIOHTTPTypes
import NIOPosix
import Synchronization

/// Forwards requests to the upstream, streaming both bodies: nothing holds a whole body in memory.
///
/// The request's path is the canonical one the policy judged (see the gateway's responder), appended to the
/// upstream's base path. Hop-by-hop fields are dropped both ways (RFC 9110 §7.6.1), `Forwarded` and
/// `X-Forwarded-*` are set as ``Forwarding`` says, field bytes are forwarded as received. Each failure of the
/// upstream is an answer with a status and a reason code (``UpstreamFailure``), which the CORS middleware around
/// this decorates like any response, so the page can read it.
///
/// An exchange never outlives its response: when the upstream answers before the client has sent its whole body,
/// the response is forwarded (with `Connection: close`, since the rest of the body will not be read), the upload
/// stops, and the upstream connection — which did not get the whole request — is closed, not reused.
package struct ReverseProxy: Sendable {
    let pool: UpstreamPool
    let forwarding: Forwarding
    let limits: GatewayLimits
    let logger: Logger

    package init(upstream: UpstreamTarget, forwarding: Forwarding, limits: GatewayLimits, logger: Logger) throws {
        pool = try UpstreamPool(target: upstream, limits: limits, group: MultiThreadedEventLoopGroup.singleton)
        self.forwarding = forwarding
        self.limits = limits
        self.logger = logger
    }

    /// Stops lending connections; idle ones are closed.
    package func shutdown() {
        pool.shutdown()
    }

    package func respond(to request: Request, context: GatewayContext) async -> Response {
        let (head, hasBody) = upstreamRequest(for: request, context: context)
        // A request without a body, and idempotent, can be sent again when a reused connection turns out closed.
        let retryable = !hasBody && request.method.isIdempotent
        var attempt = 0
        while true {
            attempt += 1
            let connection: UpstreamConnection
            do {
                connection = try await pool.acquire(deadline: .now + limits.upstreamTimeout)
            } catch {
                return failure(error)
            }
            let exchange = Exchange(connection: connection, pool: pool)
            do {
                if hasBody {
                    try await connection.outbound.write(.head(head))
                    exchange.upload(request.body)
                } else {
                    // One write, so one system call, for a request without a body.
                    try await connection.outbound.write(contentsOf: [.head(head), .end(nil)])
                    exchange.uploaded()
                }
                return try await response(to: exchange)
            } catch {
                await exchange.abort()
                if let clientError = exchange.clientError { return GatewayResponses.refusal(clientError) }
                let failure = UpstreamFailure(error)
                // A reused connection the upstream had closed just before the request: send it once more.
                if failure == .closed, retryable, attempt == 1, connection.reused.load(ordering: .relaxed) { continue }
                return self.failure(failure)
            }
        }
    }

    /// The request as the upstream gets it: target under the base path, `Host` of the upstream, hop-by-hop fields
    /// dropped, the body's framing as the client sent it, and the forwarding fields.
    private func upstreamRequest(for request: Request, context: GatewayContext) -> (HTTPRequest, hasBody: Bool) {
        let original = request.headers
        var fields = HopByHop.removed(from: original)
        // Room for the forwarding fields, so that appending them does not grow the list one reallocation at a time.
        fields.reserveCapacity(fields.count + 4)
        fields[.contentLength] = nil
        var hasBody = false
        if original[values: .transferEncoding].isEmpty == false {
            fields[.transferEncoding] = "chunked"
            hasBody = true
        } else if let length = original[.contentLength] {
            fields[.contentLength] = length
            hasBody = length != "0"
        }
        forwarding.apply(
            to: &fields, client: context.remoteAddress?.ipAddress, host: request.head.authority, proto: forwarding.proto
        )
        let target = pool.target
        let head = HTTPRequest(
            method: request.method, scheme: nil, authority: target.authority,
            path: target.basePath + (request.head.path ?? "/"), headerFields: fields)
        return (head, hasBody)
    }

    /// Reads the response head (skipping 1xx) and returns a response whose body streams the rest.
    private func response(to exchange: Exchange) async throws -> Response {
        var head: HTTP1Head
        repeat {
            guard case .head(let next)? = try await exchange.connection.next() else { throw UpstreamFailure.closed }
            head = next
        } while head.isInterim
        guard case .response(let status, let reason) = head.startLine else { throw UpstreamFailure.closed }
        var fields = HopByHop.removed(from: head.fields)
        // Content-Length stays where it frames the body, and on bodiless answers to HEAD and 304 where it
        // describes the representation; the gateway frames the rest itself.
        if head.framing == .chunked || head.framing == .untilClose || status == 204 { fields[.contentLength] = nil }
        exchange.keepAlive = head.keepAlive && head.framing != .untilClose
        let headers = fields
        let responseStatus = HTTPResponse.Status(code: status, reasonPhrase: reason)
        // A small body of known length is read whole (as nginx's proxy buffering does), so that the head, the body
        // and the end go to the client in one write; a larger or open-ended one streams, and so does every answer
        // given while the client is still uploading (it must reach the client before the upload is stopped).
        if case .length(let length) = head.framing, length <= Self.bufferedBodyLimit, exchange.isUploadComplete {
            let body = try await exchange.collect()
            return Response(status: responseStatus, headers: headers, body: ResponseBody(byteBuffer: body))
        }
        let body = ResponseBody { writer in
            do {
                try await exchange.stream(to: &writer)
            } catch {
                await exchange.abort()
                throw error
            }
        }
        return Response(status: responseStatus, headers: headers, body: body)
    }

    /// The largest response body read whole before it is forwarded.
    static let bufferedBodyLimit = 64 * 1024

    private func failure(_ failure: UpstreamFailure) -> Response {
        logger.warning(
            "upstream \(pool.target.authority): \(failure.code)",
            metadata: ["detail": .string(String(describing: failure))])
        return GatewayResponses.error(status: failure.status, code: failure.code, message: failure.message)
    }
}

/// One request–response exchange on an upstream connection, and its upload. It gives the connection back to the
/// pool exactly once — reusable only if both messages went through whole — even when the response is dropped
/// unwritten (for instance, when the client is gone before the head could be written).
final class Exchange: Sendable {
    let connection: UpstreamConnection
    private let pool: UpstreamPool
    private let state = Mutex(State())

    private struct State {
        var upload: Task<Void, Never>?
        var uploadComplete = false
        var clientError: HTTP1Error?
        var keepAlive = false
        var released = false
    }

    init(connection: UpstreamConnection, pool: UpstreamPool) {
        self.connection = connection
        self.pool = pool
    }

    deinit {
        let (upload, released) = state.withLock { ($0.upload, $0.released) }
        upload?.cancel()
        if !released { pool.release(connection, reusable: false) }
    }

    var clientError: HTTP1Error? { state.withLock { $0.clientError } }
    var keepAlive: Bool {
        get { state.withLock { $0.keepAlive } }
        set { state.withLock { $0.keepAlive = newValue } }
    }

    var isUploadComplete: Bool { state.withLock { $0.uploadComplete } }

    func uploaded() {
        state.withLock { $0.uploadComplete = true }
    }

    /// Streams the client's body to the upstream in a task of its own, since the response may begin first.
    func upload(_ body: RequestBody) {
        let connection = connection
        let task = Task {
            do {
                for try await bytes in body { try await connection.outbound.write(.body(bytes)) }
                try await connection.outbound.write(.end(nil))
                state.withLock { $0.uploadComplete = true }
            } catch {
                // The client's body is cut short or malformed, or the upstream stopped reading: the upstream
                // connection carries half a request and must go.
                if let error = error as? HTTP1Error { state.withLock { $0.clientError = error } }
                connection.close()
            }
        }
        state.withLock { $0.upload = task }
    }

    /// Forwards the response body, then settles the exchange.
    func stream(to writer: inout any ResponseBodyWriter) async throws {
        while true {
            switch try await connection.next() {
            case .body(let bytes):
                try await writer.write(bytes)
            case .end(let trailers):
                try await writer.finish(trailers.map(HopByHop.removed(from:)))
                await settle()
                return
            case .head, nil:
                throw UpstreamFailure.closed
            }
        }
    }

    /// Reads the whole response body (whose length is known and small), then settles the exchange.
    func collect() async throws -> ByteBuffer {
        var body = ByteBuffer()
        while true {
            switch try await connection.next() {
            case .body(var bytes):
                body.writeBuffer(&bytes)
            case .end:
                await settle()
                return body
            case .head, nil:
                throw UpstreamFailure.closed
            }
        }
    }

    /// After the response: an upload still running is stopped (its connection cannot be reused), and the
    /// connection goes back to the pool.
    private func settle() async {
        let upload = state.withLock { $0.upload }
        if let upload {
            if !state.withLock({ $0.uploadComplete }) { upload.cancel() }
            await upload.value
        }
        let reusable = state.withLock { state in
            defer { state.released = true }
            return state.uploadComplete && state.keepAlive && !state.released
        }
        pool.release(connection, reusable: reusable)
    }

    /// Ends the exchange early: the upload stops and the connection is closed.
    func abort() async {
        connection.close()
        let upload = state.withLock { $0.upload }
        upload?.cancel()
        await upload?.value
        let release = state.withLock { state in
            defer { state.released = true }
            return !state.released
        }
        if release { pool.release(connection, reusable: false) }
    }
}

extension HTTP1Head {
    /// A 1xx response: informational, followed by the final response.
    var isInterim: Bool {
        if case .response(let status, _) = startLine { return (100..<200).contains(status) }
        return false
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
