import HTTP1Wire
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The HTTP/1.1 client side of one upstream connection, and its last handler: request parts from the exchange
/// holding the connection to bytes, bytes to response events for that exchange (through the strict
/// ``HTTP1Parser``), reads held back while the exchange's client is not taking the response, and the connection's
/// deadlines — an exchange in which no byte moves either way for ``GatewayLimits/upstreamTimeout`` fails with
/// ``UpstreamTimeout``; an unused connection closes after ``GatewayLimits/upstreamIdleTimeout``.
///
/// The exchange and this handler call each other directly, rather than through the pipeline, where each part would
/// be wrapped in `NIOAny` and cast back by one more handler on every request.
final class HTTP1ClientConnection: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum RequestFraming {
        case none
        case length
        case chunked
    }

    private let limits: GatewayLimits
    private var parser = HTTP1Parser(role: .client)
    private var buffer = ByteBuffer()
    private var framing = RequestFraming.none
    private var inExchange = false
    private var lastProgress = NIODeadline.now()
    private var timer: RepeatedTask?
    private var context: ChannelHandlerContext?
    /// The exchange holding the connection; `nil` while it is idle in the pool.
    var exchange: ProxyExchange?
    private var paused = false
    private var readHeld = false

    init(limits: GatewayLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        timer = context.repeatEvery(limits.tick, self) { $0.checkDeadlines($1) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        timer?.cancel()
    }

    /// Writes a part of the request; ``flush()`` sends what was written.
    func send(_ part: HTTPRequestPart) {
        guard let context else { return }
        lastProgress = .now()
        // Sized for what is written, so that the buffer does not grow while it is.
        var out: ByteBuffer
        switch part {
        case .head(let request):
            inExchange = true
            parser.respondingToHEAD = request.method == .head
            out = context.channel.allocator.buffer(capacity: 1024)
            let fields = request.headerFields
            framing =
                fields.contains(.contentLength) ? .length : fields.contains(.transferEncoding) ? .chunked : .none
            HTTP1Serializer.writeRequestHead(
                method: request.method, target: request.path ?? "/", host: request.authority ?? "", fields: fields,
                into: &out)
        case .body(let bytes):
            switch framing {
            case .none:
                return
            case .length:
                context.write(wrapOutboundOut(bytes), promise: nil)
                return
            case .chunked:
                out = context.channel.allocator.buffer(capacity: bytes.readableBytes + 32)
                HTTP1Serializer.writeChunk(bytes, into: &out)
            }
        case .end(let trailers):
            guard case .chunked = framing else { return }
            out = context.channel.allocator.buffer(capacity: 256)
            HTTP1Serializer.writeLastChunk(trailers: trailers, into: &out)
        }
        context.write(wrapOutboundOut(out), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// Whether the upstream takes bytes as fast as they come: when it does not, the client is read no further.
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastProgress = .now()
        var incoming = unwrapInboundIn(data)
        guard inExchange else {
            // Bytes nobody asked for: the connection is out of step and cannot be trusted with a request.
            context.close(promise: nil)
            return
        }
        if buffer.readableBytes == 0 { buffer = incoming } else { buffer.writeBuffer(&incoming) }
        do {
            while let event = try parser.next(&buffer) {
                if case .end = event { inExchange = false }
                exchange?.upstreamRead(event)
            }
            if buffer.readableBytes == 0 { buffer = .drained }
        } catch {
            exchange?.upstreamFailed(error)
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        exchange?.upstreamFailed(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if inExchange {
            do {
                if let event = try parser.finish() { exchange?.upstreamRead(event) }
            } catch {
                exchange?.upstreamFailed(UpstreamClosed())
            }
        }
        exchange?.upstreamFailed(UpstreamClosed())
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.upstreamWritabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            readHeld = true
        } else {
            context.read()
        }
    }

    func pauseReading() {
        paused = true
    }

    func resumeReading() {
        paused = false
        if readHeld, let context {
            readHeld = false
            context.read()
        }
    }

    private func checkDeadlines(_ context: ChannelHandlerContext) {
        let quiet = NIODeadline.now() - lastProgress
        if inExchange, quiet > TimeAmount(limits.upstreamTimeout) {
            exchange?.upstreamFailed(UpstreamTimeout())
            context.close(promise: nil)
        } else if !inExchange, quiet > TimeAmount(limits.upstreamIdleTimeout) {
            context.close(promise: nil)
        }
    }
}

/// No byte moved between the gateway and the upstream for ``GatewayLimits/upstreamTimeout`` during an exchange.
struct UpstreamTimeout: Error {}

/// The upstream closed the connection before the response was complete.
struct UpstreamClosed: Error {}
