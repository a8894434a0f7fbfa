import HTTP1Wire
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The HTTP/1.1 client side of one upstream connection: request parts to bytes, bytes to response events (through
/// the strict ``HTTP1Parser``), and the connection's deadlines — an exchange in which no byte moves either way for
/// ``GatewayLimits/upstreamTimeout`` fails with ``UpstreamTimeout``; an unused connection closes after
/// ``GatewayLimits/upstreamIdleTimeout``.
final class HTTP1ClientConnection: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTP1Parser.Event
    typealias OutboundIn = HTTPRequestPart
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

    init(limits: GatewayLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.repeatEvery(limits.tick, self) { $0.checkDeadlines($1) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastProgress = .now()
        // Sized for what is written, so that the buffer does not grow while it is.
        var out: ByteBuffer
        switch unwrapOutboundIn(data) {
        case .head(let request):
            inExchange = true
            parser.respondingToHEAD = request.method == .head
            out = context.channel.allocator.buffer(capacity: 1024)
            let fields = request.headerFields
            framing =
                fields[.contentLength] != nil ? .length : fields[.transferEncoding] != nil ? .chunked : .none
            HTTP1Serializer.writeRequestHead(
                method: request.method, target: request.path ?? "/", host: request.authority ?? "", fields: fields,
                into: &out)
        case .body(let bytes):
            switch framing {
            case .none:
                promise?.fail(ChannelError.inappropriateOperationForState)
                return
            case .length:
                context.write(wrapOutboundOut(bytes), promise: promise)
                return
            case .chunked:
                out = context.channel.allocator.buffer(capacity: bytes.readableBytes + 32)
                HTTP1Serializer.writeChunk(bytes, into: &out)
            }
        case .end(let trailers):
            guard case .chunked = framing else {
                promise?.succeed()
                return
            }
            out = context.channel.allocator.buffer(capacity: 256)
            HTTP1Serializer.writeLastChunk(trailers: trailers, into: &out)
        }
        context.write(wrapOutboundOut(out), promise: promise)
    }

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
                context.fireChannelRead(wrapInboundOut(event))
            }
            if buffer.readableBytes == 0 { buffer = .drained }
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if inExchange {
            do {
                if let event = try parser.finish() { context.fireChannelRead(wrapInboundOut(event)) }
            } catch {
                context.fireErrorCaught(UpstreamClosed())
            }
        }
        context.fireChannelInactive()
    }

    private func checkDeadlines(_ context: ChannelHandlerContext) {
        let quiet = NIODeadline.now() - lastProgress
        if inExchange, quiet > TimeAmount(limits.upstreamTimeout) {
            context.fireErrorCaught(UpstreamTimeout())
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
