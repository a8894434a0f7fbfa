import HTTP1Wire
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The HTTP/1.1 server side of one client connection: bytes to request parts (through the strict ``HTTP1Parser``),
/// response parts to bytes, and the connection's life — keep-alive, pipelining, timeouts, graceful close.
///
/// Decisions that need the whole connection in view are made here, where it is: a response whose request has not
/// been read to the end carries `Connection: close` (the rest of that body is never read); every timeout of
/// ``GatewayLimits`` is enforced on the event loop; a connection that closes with unread input lingers, reading and
/// discarding, so that the client sees the response rather than a reset (RFC 9112 §9.6).
final class HTTP1ServerConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = ByteBuffer

    /// One request read and not yet answered in full.
    private struct Exchange {
        let method: HTTPRequest.Method
        let minorVersion: Int
        let requestKeepAlive: Bool
        var requestComplete = false
        var response: ResponseFraming?
        var keepAlive = false
    }

    /// How the response being written is delimited on the wire.
    private enum ResponseFraming {
        case none
        case length(expected: Int, written: Int)
        case chunked
        case untilClose
    }

    private let limits: GatewayLimits
    private let registry: ConnectionRegistry?
    /// This connection in the registry, once active.
    private var connection: ConnectionRegistry.Connection?
    private var parser: HTTP1Parser
    private var buffer = ByteBuffer()
    private var exchanges: [Exchange] = []
    private var readingRequest = false
    /// No further request is read: the last one asked to close, a response closes the connection, or the
    /// connection is shutting down. (The body of a request being read is still read.)
    private var readingStopped = false
    /// The input could not be parsed: nothing more is read from it.
    private var failed = false
    /// A read was held back while requests read ahead wait for their responses.
    private var readHeldBack = false
    private var quiescing = false
    private var lingering = false
    private var closeAfterFlush = false
    private var servedAny = false
    private var waitingSince = NIODeadline.now()
    private var readRequestedAt: NIODeadline?
    private var unwritableSince: NIODeadline?
    private var timer: RepeatedTask?

    init(limits: GatewayLimits, registry: ConnectionRegistry?) {
        self.limits = limits
        self.registry = registry
        self.parser = HTTP1Parser(role: .server, limits: limits.http1)
    }

    // MARK: Life

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        waitingSince = .now()
        connection = registry?.opened(context.channel)
        timer = context.repeatEvery(limits.tick, self) { $0.checkDeadlines($1) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        registry?.closed(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    // MARK: Reading requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readRequestedAt = nil
        guard !lingering, !failed else { return }
        var incoming = unwrapInboundIn(data)
        if buffer.readableBytes == 0 {
            if exchanges.isEmpty {
                waitingSince = .now()
                connection?.setIdle(false)
            }
            buffer = incoming
        } else {
            buffer.writeBuffer(&incoming)
        }
        parse(context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if lingering {
            context.read()
        } else {
            context.fireChannelReadComplete()
        }
    }

    /// Whether the next bytes would start a request that is not to be read now.
    private var isPaused: Bool {
        !readingRequest && (readingStopped || exchanges.count >= limits.maxPipelinedRequests)
    }

    private func parse(_ context: ChannelHandlerContext) {
        while !failed, !lingering, !isPaused {
            let event: HTTP1Parser.Event?
            do {
                event = try parser.next(&buffer)
            } catch {
                refuse(error, context)
                return
            }
            guard let event else { break }
            switch consume event {
            case .head(var head):
                guard case .request(let method, let target) = head.startLine else { continue }
                exchanges.append(
                    Exchange(method: method, minorVersion: head.minorVersion, requestKeepAlive: head.keepAlive))
                readingRequest = true
                do {
                    context.fireChannelRead(
                        wrapInboundOut(.head(try Self.request(&head, method: method, target: target))))
                } catch {
                    exchanges.removeLast()
                    readingRequest = false
                    refuse(error, context)
                    return
                }
            case .body(let bytes):
                context.fireChannelRead(wrapInboundOut(.body(bytes)))
            case .end(let trailers):
                readingRequest = false
                exchanges[exchanges.count - 1].requestComplete = true
                if !exchanges[exchanges.count - 1].requestKeepAlive { readingStopped = true }
                context.fireChannelRead(wrapInboundOut(.end(trailers)))
            }
        }
        if buffer.readableBytes == 0 { buffer = .drained }
    }

    /// A request that cannot be parsed. Within a body, the handler reading it sees the error; before a head, the
    /// request loop gets it where it waits for the next request and answers it, after the responses already due.
    private func refuse(_ error: HTTP1Error, _ context: ChannelHandlerContext) {
        failed = true
        readingStopped = true
        if !readingRequest {
            exchanges.append(Exchange(method: .get, minorVersion: 1, requestKeepAlive: false))
        }
        readingRequest = false
        context.fireErrorCaught(error)
    }

    /// The request as HTTPTypes holds it: `Host` (or an absolute-form target's authority) as `authority`.
    private static func request(_ head: inout HTTP1Head, method: HTTPRequest.Method, target: String)
        throws(HTTP1Error) -> HTTPRequest
    {
        // Taken out of the head, so that removing Host does not copy them.
        var fields = HTTPFields()
        swap(&fields, &head.fields)
        // The parser let one Host through at most (RFC 9112 §3.2).
        var authority: String?
        if let host = fields.firstIndex(where: { $0.name == HTTP1Authority.host }) {
            authority = fields.remove(at: host).value
        }
        var path = target
        if !target.hasPrefix("/"), target != "*" {
            // absolute-form (RFC 9112 §3.2.2): the target's authority wins over Host.
            let rest = target[target.firstRange(of: "://")!.upperBound...]
            let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            guard HTTP1Authority.isValid(rest[..<end].utf8), !rest[..<end].isEmpty else { throw .invalidTarget }
            authority = String(rest[..<end])
            path = rest[end...].hasPrefix("/") ? String(rest[end...]) : "/" + rest[end...]
        }
        return HTTPRequest(method: method, scheme: "http", authority: authority, path: path, headerFields: fields)
    }

    func read(context: ChannelHandlerContext) {
        // Backpressure on pipelining: no more bytes while the requests read ahead are unanswered.
        if isPaused, !lingering, buffer.readableBytes > 0 || exchanges.count >= limits.maxPipelinedRequests {
            readHeldBack = true
            return
        }
        if readRequestedAt == nil { readRequestedAt = .now() }
        context.read()
    }

    // MARK: Writing responses

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            writeHead(response, context: context, promise: promise)
        case .body(let bytes):
            writeBody(bytes, context: context, promise: promise)
        case .end(let trailers):
            writeEnd(trailers, context: context, promise: promise)
        }
    }

    private func writeHead(_ response: HTTPResponse, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard var exchange = exchanges.first, exchange.response == nil else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 1024)
        if response.status.kind == .informational {
            // 100 Continue (written when a handler starts reading a body that expects it): only before the final
            // response, and never to HTTP/1.0.
            if exchange.minorVersion == 1, response.status != .switchingProtocols {
                HTTP1Serializer.writeResponseHead(status: response.status, fields: [:], into: &buffer)
                context.write(wrapOutboundOut(buffer), promise: promise)
            } else {
                promise?.succeed()
            }
            return
        }
        let fields = response.headerFields
        let framing: ResponseFraming
        let code = response.status.code
        if exchange.method == .head || code == 204 || code == 304 {
            framing = .none
        } else if let length = fields.contentLength {
            framing = .length(expected: length, written: 0)
        } else if exchange.minorVersion == 1 {
            framing = .chunked
        } else {
            framing = .untilClose
        }
        var responseSaysClose = false
        fields.forEachListElement(.connection) { if $0.equalsLowercaseASCII("close") { responseSaysClose = true } }
        if case .untilClose = framing {
        } else if exchange.requestKeepAlive, exchange.requestComplete, !quiescing,
            !responseSaysClose
        {
            exchange.keepAlive = true
        }
        // The framing fields are the connection's own: the response's are replaced, not edited in a copy. By RFC
        // 9110 §8.6, Content-Length never goes on a 204, and stays on a response to HEAD and on a 304, where it
        // describes the representation; a body's length is written as one number ("5, 5" is valid but not what
        // every client reads), and one that is not a length goes, as the body is then chunked.
        let keepsLength: Bool
        if case .none = framing { keepsLength = code != 204 } else { keepsLength = false }
        HTTP1Serializer.writeStatusLine(response.status, into: &buffer)
        HTTP1Serializer.writeFieldLines(fields, into: &buffer) {
            $0.name != .connection && $0.name != .transferEncoding && (keepsLength || $0.name != .contentLength)
        }
        if case .length(let length, _) = framing {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(length))
            buffer.writeStaticString("\r\n")
        }
        if !exchange.keepAlive {
            buffer.writeStaticString("Connection: close\r\n")
            readingStopped = true
        } else if exchange.minorVersion == 0 {
            buffer.writeStaticString("Connection: keep-alive\r\n")
        }
        if case .chunked = framing { buffer.writeStaticString("Transfer-Encoding: chunked\r\n") }
        buffer.writeStaticString("\r\n")
        exchange.response = framing
        exchanges[0] = exchange
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    private func writeBody(_ bytes: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard let framing = exchanges.first?.response else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch framing {
        case .none:
            promise?.succeed()
        case .length(let expected, let written):
            exchanges[0].response = .length(expected: expected, written: written + bytes.readableBytes)
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .chunked:
            var buffer = context.channel.allocator.buffer(capacity: bytes.readableBytes + 16)
            HTTP1Serializer.writeChunk(bytes, into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
        case .untilClose:
            context.write(wrapOutboundOut(bytes), promise: promise)
        }
    }

    private func writeEnd(_ trailers: HTTPFields?, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard let exchange = exchanges.first, let framing = exchange.response else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        exchanges.removeFirst()
        servedAny = true
        var intact = true
        switch framing {
        case .none, .untilClose:
            promise?.succeed()
        case .length(let expected, let written):
            // A body shorter or longer than its Content-Length: the connection cannot carry another message.
            intact = expected == written
            promise?.succeed()
        case .chunked:
            var buffer = context.channel.allocator.buffer(capacity: 16)
            HTTP1Serializer.writeLastChunk(trailers: trailers, into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
        if !exchange.keepAlive || !intact || (quiescing && exchanges.isEmpty) {
            closeAfterFlush = true
            return
        }
        if exchanges.isEmpty {
            waitingSince = .now()
            if buffer.readableBytes == 0 { connection?.setIdle(true) }
        }
        // Requests read ahead wait for their turn; the ones not yet parsed can be now.
        if buffer.readableBytes > 0 { parse(context) }
        if readHeldBack, !isPaused {
            readHeldBack = false
            read(context: context)
        }
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        if closeAfterFlush {
            closeAfterFlush = false
            linger(context)
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // The request loop half-closes when it is done: linger rather than cut the connection.
        if mode == .output {
            linger(context)
            promise?.succeed()
        } else {
            context.close(mode: mode, promise: promise)
        }
    }

    /// Closes the connection's output and reads and discards its input until the client closes or
    /// ``GatewayLimits/lingerTimeout`` has passed, so that the last response is not lost to a reset.
    private func linger(_ context: ChannelHandlerContext) {
        guard !lingering else { return }
        lingering = true
        readingStopped = true
        buffer = .drained
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.close(mode: .output, promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.lingerTimeout)) {
            context.close(promise: nil)
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        unwritableSince = context.channel.isWritable ? nil : .now()
        context.fireChannelWritabilityChanged()
    }

    // MARK: Timeouts and shutdown

    private func checkDeadlines(_ context: ChannelHandlerContext) {
        guard !lingering, context.channel.isActive else { return }
        let now = NIODeadline.now()
        if let since = unwritableSince, now - since > TimeAmount(limits.sendTimeout) {
            context.close(promise: nil)
        } else if readingRequest {
            if let requested = readRequestedAt, now - requested > TimeAmount(limits.bodyTimeout) {
                context.close(promise: nil)
            }
        } else if exchanges.isEmpty {
            let idle = buffer.readableBytes == 0 && parser.isBetweenMessages
            let limit = idle && servedAny ? limits.idleTimeout : limits.headerTimeout
            guard now - waitingSince > TimeAmount(limit) else { return }
            if idle {
                context.close(promise: nil)
            } else {
                var response = context.channel.allocator.buffer(capacity: 96)
                response.writeStaticString(
                    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                context.writeAndFlush(wrapOutboundOut(response), promise: nil)
                linger(context)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescing = true
        readingStopped = true
        if exchanges.isEmpty { linger(context) }
    }
}

extension ByteBuffer {
    /// An empty buffer to hold in place of one read to its end: SwiftNIO reuses its receive buffer for the next
    /// read only when no one else holds it, and `clear()` on a shared buffer allocates a new one.
    static let drained = ByteBuffer()
}
