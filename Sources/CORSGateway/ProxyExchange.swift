import HTTP1Wire
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// One request forwarded to the upstream and its response relayed to the client, on the client connection's event
/// loop (the upstream connection lives on the same loop, so nothing hops between threads).
///
/// Both bodies stream with backpressure: the client is read no faster than the upstream takes the upload, the
/// upstream no faster than the client takes the download. A small response of known length is read whole first (as
/// nginx's proxy buffering does), so that it reaches the client in one write and, if the upstream cuts it short,
/// becomes an error the page can read. The exchange gives its connection back to the pool exactly once — reusable
/// only if both messages went through whole: when the upstream answers before the client has sent its whole body,
/// the response is forwarded (the client's connection then closes, the rest of the body unread) and the upstream
/// connection, which did not get the whole request, is closed.
final class ProxyExchange {
    private enum Phase {
        /// Waiting for a connection from the pool.
        case connecting
        case waitingForHead
        /// A small response being read whole.
        case buffering(HTTPResponse, ByteBuffer)
        /// The response's head has gone to the client; its body follows as it comes.
        case streaming
        case done
    }

    private let handler: GatewayHandler
    private let proxy: ReverseProxy
    private let metrics: GatewayMetrics?
    private let eventLoop: any EventLoop
    private let head: HTTPRequest
    private let hasBody: Bool
    private let expectsContinue: Bool
    /// A request without a body, and idempotent, can be sent again when a reused connection turns out closed.
    private let retryable: Bool
    private var phase = Phase.connecting
    private var attempt = 0
    private var connection: UpstreamConnection?
    /// Body read from the client before a connection was there to take it.
    private var early: [ByteBuffer] = []
    private var clientEnded = false
    private var trailers: HTTPFields?
    private var uploadComplete = false
    private var uploadPaused = false
    private var keepAlive = false
    /// When the current attempt asked for a connection, for the upstream's latency metric.
    private var askedAt = ContinuousClock.now

    init(
        handler: GatewayHandler, proxy: ReverseProxy, request: HTTPRequest, hasBody: Bool, client: String?,
        metrics: GatewayMetrics?, eventLoop: any EventLoop
    ) {
        self.handler = handler
        self.proxy = proxy
        self.metrics = metrics
        self.eventLoop = eventLoop
        self.hasBody = hasBody
        head = proxy.upstreamRequest(for: request, client: client)
        expectsContinue = request.expectsContinue
        retryable = !hasBody && request.method.isIdempotent
    }

    /// Asks the pool for a connection.
    func start() {
        attempt += 1
        phase = .connecting
        askedAt = .now
        if let connection = proxy.pool.idleConnection(on: eventLoop) {
            connected(connection)
            return
        }
        proxy.pool.acquire(on: eventLoop, deadline: .now() + TimeAmount(proxy.limits.upstreamTimeout))
            .assumeIsolated().whenComplete { result in
                switch result {
                case .success(let connection): self.connected(connection)
                case .failure(let error): self.failed(UpstreamFailure(error))
                }
            }
    }

    private func connected(_ connection: UpstreamConnection) {
        guard case .connecting = phase else {
            // The client left, or its body failed, while the connection was on its way: nothing was sent on it.
            proxy.pool.release(connection, reusable: true)
            return
        }
        guard connection.channel.isActive else {
            // Closed on its way from another exchange (its close went unseen: nobody held it). Nothing was sent on
            // it, so asking again is safe for any request; the attempts are bounded.
            proxy.pool.release(connection, reusable: false)
            if attempt < 3 { start() } else { failed(.closed) }
            return
        }
        self.connection = connection
        connection.http.exchange = self
        phase = .waitingForHead
        let http = connection.http
        http.send(.head(head))
        guard hasBody else {
            // One flush, so one system call, for a request without a body.
            http.send(.end(nil))
            http.flush()
            uploadComplete = true
            return
        }
        // `Expect: 100-continue` is answered when the body is wanted (as Go's server does), not before.
        if expectsContinue { handler.sendContinue() }
        for bytes in early { http.send(.body(bytes)) }
        early = []
        if clientEnded {
            http.send(.end(trailers))
            uploadComplete = true
        }
        http.flush()
        paceUpload()
    }

    // MARK: The client's side

    func clientBody(_ bytes: ByteBuffer) {
        switch phase {
        case .connecting:
            early.append(bytes)
            uploadPaused = true
            handler.pauseReading()
        case .waitingForHead, .buffering, .streaming:
            connection?.http.send(.body(bytes))
            connection?.http.flush()
            paceUpload()
        case .done:
            break
        }
    }

    func clientEnded(_ trailers: HTTPFields?) {
        clientEnded = true
        self.trailers = trailers
        switch phase {
        case .waitingForHead, .buffering, .streaming:
            connection?.http.send(.end(trailers))
            connection?.http.flush()
            uploadComplete = true
        case .connecting, .done:
            break
        }
    }

    /// The client's body is cut short or malformed: the upstream connection carries half a request and goes.
    func clientFailed(_ error: HTTP1Error) {
        switch phase {
        case .connecting, .waitingForHead, .buffering:
            settle(reusable: false)
            handler.answer(GatewayResponses.refusal(error))
        case .streaming:
            settle(reusable: false)
            handler.abort()
        case .done:
            break
        }
    }

    func clientGone() {
        if case .done = phase { return }
        settle(reusable: false)
    }

    func clientWritable() {
        connection?.http.resumeReading()
    }

    /// Stops reading the client while the upstream's buffer is full.
    private func paceUpload() {
        guard let http = connection?.http else { return }
        if !http.isWritable {
            uploadPaused = true
            handler.pauseReading()
        } else if uploadPaused {
            uploadPaused = false
            handler.resumeReading()
        }
    }

    // MARK: The upstream's side, from its connection's handler

    func upstreamWritabilityChanged() {
        paceUpload()
    }

    func upstreamRead(_ event: HTTP1Parser.Event) {
        switch (phase, event) {
        case (.waitingForHead, .head(let head)):
            receivedHead(head)
        case (.buffering(let response, var body), .body(var bytes)):
            phase = .done  // no copy of the buffer while it grows
            // A body that comes in one read (the usual case) is kept as the slice it is, not copied.
            if body.readableBytes == 0 { body = bytes } else { body.writeBuffer(&bytes) }
            phase = .buffering(response, body)
        case (.buffering(let response, let body), .end):
            settle(reusable: uploadComplete && keepAlive)
            handler.answer(GatewayResponse(head: response, body: body))
        case (.streaming, .body(let bytes)):
            handler.writeBody(bytes)
            if !handler.isWritable { connection?.http.pauseReading() }
        case (.streaming, .end(let trailers)):
            settle(reusable: uploadComplete && keepAlive)
            handler.writeEnd(trailers.map { HopByHop.removed(from: $0) })
        default:
            upstreamFailed(UpstreamFailure.closed)
        }
    }

    func upstreamReadComplete() {
        if case .streaming = phase { handler.flush() }
    }

    func upstreamFailed(_ error: any Error) {
        switch phase {
        case .connecting, .done:
            return
        case .waitingForHead, .buffering:
            let reused = connection?.reused ?? false
            settle(reusable: false)
            let failure = UpstreamFailure(error)
            // A reused connection the upstream had closed just before the request: send it once more.
            if failure == .closed, retryable, attempt == 1, reused {
                start()
                return
            }
            failed(failure)
        case .streaming:
            settle(reusable: false)
            handler.abort()
        }
    }

    /// Reads the response head (1xx ones are skipped) and relays it, or starts reading a small body whole.
    private func receivedHead(_ head: HTTP1Head) {
        if head.isInterim { return }
        guard case .response(let status, let reason) = head.startLine else {
            upstreamFailed(UpstreamFailure.closed)
            return
        }
        metrics?.recordUpstream(status: status, duration: askedAt.duration(to: .now))
        // The client's connection writes the framing fields itself (`HTTP1ServerConnection.writeHead`). Room is
        // left for the CORS fields.
        let fields = HopByHop.removed(from: head.fields, reserving: 4)
        keepAlive = head.keepAlive && head.framing != .untilClose
        let response = HTTPResponse(status: .init(code: status, reasonPhrase: reason), headerFields: fields)
        // Every answer given while the client is still uploading streams: it must reach the client before the
        // upload is stopped.
        if case .length(let length) = head.framing, length <= ReverseProxy.bufferedBodyLimit, uploadComplete {
            phase = .buffering(response, ByteBuffer())
        } else {
            phase = .streaming
            handler.writeHead(response)
        }
    }

    private func failed(_ failure: UpstreamFailure) {
        phase = .done
        metrics?.recordUpstream(status: failure.status, duration: askedAt.duration(to: .now))
        handler.answer(proxy.failure(failure))
    }

    /// The exchange is over on the upstream's side: the connection goes back to the pool (before the client's
    /// response ends, so the next request can have it).
    private func settle(reusable: Bool) {
        phase = .done
        guard let connection else { return }
        self.connection = nil
        connection.http.exchange = nil
        connection.http.resumeReading()
        proxy.pool.release(connection, reusable: reusable && uploadComplete)
    }
}
