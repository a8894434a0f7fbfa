import CORSCore
import HTTP1Wire
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// What every connection's request loop shares: the policy in force, the upstream (`nil` for the echo service),
/// and where requests are counted and logged.
struct GatewayServices: Sendable {
    let state: PolicyFileState
    let proxy: ReverseProxy?
    let corsLogger: Logger?
    let metrics: GatewayMetrics?
    let accessLog: AccessLog?
}

/// The gateway's request loop on one client connection: a channel handler after ``HTTP1ServerConnection`` that
/// answers one request at a time on the connection's event loop — no task and no stream per request.
///
/// What the connection gives while a request is being answered (the next pipelined request, an error, the end of
/// the input) waits in order, and reading pauses while anything waits, so a client cannot make it grow. A response
/// the gateway makes itself is written once the request has been read to its end, so that the connection can be
/// kept alive; only a request with a body may be answered before (and then the connection closes, the rest of the
/// body unread).
final class GatewayHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Input {
        case part(HTTPRequestPart)
        case failure(HTTP1Error)
        case inputClosed
    }

    /// What answering the current request takes.
    private enum Work {
        /// A response already decided, written when the request has been read.
        case answer(GatewayResponse)
        /// The echo service, counting the body's bytes.
        case echo(HTTPRequest, bodyBytes: Int)
        case proxy(ProxyExchange)
    }

    /// The request being answered. (A class: it changes as the exchange goes, and is not copied each time.)
    private final class Current {
        /// As received, for the access log.
        let request: HTTPRequest
        let admission: GatewayAdmission
        let start = ContinuousClock.now
        /// Whether a body follows the head (`Content-Length` other than 0, or `Transfer-Encoding`).
        let hasBody: Bool
        var work: Work
        var requestEnded = false
        var status = 0

        init(request: HTTPRequest, admission: GatewayAdmission, hasBody: Bool, work: Work) {
            self.request = request
            self.admission = admission
            self.hasBody = hasBody
            self.work = work
        }
    }

    private let services: GatewayServices
    private var context: ChannelHandlerContext?
    private var current: Current?
    private var waiting = CircularBuffer<Input>()
    /// The connection carries no further request: it is closing or closed.
    private var done = false
    private var readHeld = false
    private var uploadPaused = false
    /// The client's address, for `Forwarded`: read once per connection.
    private lazy var clientAddress = context?.channel.remoteAddress?.ipAddress

    init(services: GatewayServices) {
        self.services = services
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receive(.part(unwrapInboundIn(data)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTP1Error {
            receive(.failure(error))
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent { receive(.inputClosed) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientLeft()
        waiting.removeAll()
        context.fireChannelInactive()
    }

    /// The client is gone before its answer was complete: the exchange stops, its upstream connection is closed.
    private func clientLeft() {
        done = true
        guard let current else { return }
        if case .proxy(let exchange) = current.work { exchange.clientGone() }
        // nginx's code for a request whose client left before the whole answer.
        completed(status: 499)
    }

    func read(context: ChannelHandlerContext) {
        if !waiting.isEmpty || uploadPaused {
            readHeld = true
        } else {
            context.read()
        }
    }

    private func receive(_ input: Input) {
        guard !done else { return }
        if let current, !current.requestEnded {
            proceed(with: input)
        } else if case .inputClosed = input, current != nil, waiting.isEmpty {
            // The client closed its side while its answer is pending: it left, as nginx and Go's server read it
            // (half-closing to wait for an answer is allowed by HTTP/1.1 but lets a client pile up work for free).
            clientLeft()
            context?.close(promise: nil)
        } else if current != nil || !waiting.isEmpty {
            waiting.append(input)
        } else {
            begin(with: input)
        }
    }

    /// The first input once no request is in progress.
    private func begin(with input: Input) {
        switch input {
        case .part(.head(let head)):
            start(head)
        case .part:
            break
        case .failure(let error):
            refuse(error)
        case .inputClosed:
            // The client is done sending: the gateway is done answering.
            done = true
            context?.close(mode: .output, promise: nil)
        }
    }

    private func start(_ request: HTTPRequest) {
        guard let context else { return }
        services.metrics?.requestStarted()
        let admission = GatewayAdmission(request, file: services.state.file, logger: services.corsLogger)
        let hasBody = request.headerFields.contains(.transferEncoding) || (request.headerFields.contentLength ?? 0) > 0
        switch admission.verdict {
        case .answer(let response):
            current = Current(request: request, admission: admission, hasBody: hasBody, work: .answer(response))
            if hasBody { write(response) }
        case .forward(let forwarded):
            guard let proxy = services.proxy else {
                current = Current(
                    request: request, admission: admission, hasBody: hasBody, work: .echo(forwarded, bodyBytes: 0))
                // The echo reads the body at once.
                if hasBody, request.expectsContinue { sendContinue() }
                return
            }
            let exchange = ProxyExchange(
                handler: self, proxy: proxy, request: forwarded, hasBody: hasBody, client: clientAddress,
                metrics: services.metrics, eventLoop: context.eventLoop)
            current = Current(request: request, admission: admission, hasBody: hasBody, work: .proxy(exchange))
            exchange.start()
        }
    }

    /// An input of the request being read.
    private func proceed(with input: Input) {
        guard let current else { return }
        switch input {
        case .part(.head):
            break
        case .part(.body(let bytes)):
            switch current.work {
            case .echo(let request, let count):
                current.work = .echo(request, bodyBytes: count + bytes.readableBytes)
            case .proxy(let exchange):
                exchange.clientBody(bytes)
            case .answer:
                break
            }
        case .part(.end(let trailers)):
            current.requestEnded = true
            switch current.work {
            case .answer(let response):
                if !current.hasBody { write(response) }
            case .echo(let request, let count):
                answer(EchoResponder.response(to: request, bodyBytes: count))
            case .proxy(let exchange):
                exchange.clientEnded(trailers)
            }
        case .failure(let error):
            failRequest(current, error)
        case .inputClosed:
            failRequest(current, .truncated)
        }
    }

    /// The request's body is malformed or cut short: it is refused, and the connection closes.
    private func failRequest(_ current: Current, _ error: HTTP1Error) {
        done = true
        switch current.work {
        case .proxy(let exchange):
            exchange.clientFailed(error)
        case .echo:
            answer(GatewayResponses.refusal(error))
        case .answer:
            if !current.hasBody { write(GatewayResponses.refusal(error)) }
        }
    }

    /// A request that could not be parsed: its status, a JSON body naming the problem, and the end of the
    /// connection. It has no admission, so no CORS field.
    private func refuse(_ error: HTTP1Error) {
        done = true
        guard let context else { return }
        var body = ByteBuffer()
        body.writeString(JSONOutput.encode(["error": error.code, "message": error.description]))
        let head = HTTPResponse(
            status: .init(code: error.status),
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    // MARK: Output, for the request in progress

    /// Writes a response from beyond the admission — the echo's, the upstream's small one, or the answer to a
    /// failure — with the fields the admission's decisions add.
    func answer(_ response: GatewayResponse) {
        guard let current else { return }
        var response = response
        current.admission.decorate(&response.head.headerFields)
        if !current.requestEnded, !current.hasBody {
            // Its end is on its way (it comes with the head): answering first would cost the connection.
            current.work = .answer(response)
            return
        }
        write(response)
    }

    private func write(_ response: GatewayResponse) {
        guard let context, let current else { return }
        var head = response.head
        let code = head.status.code
        if code >= 200, code != 204, code != 304, !head.headerFields.contains(.contentLength) {
            head.headerFields.append(HTTPField(name: .contentLength, value: String(response.body.readableBytes)))
        }
        if !head.headerFields.contains(.date) {
            head.headerFields.append(HTTPField(name: .date, value: HTTPDate.now))
        }
        current.status = code
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if response.body.readableBytes > 0 { context.write(wrapOutboundOut(.body(response.body)), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        context.flush()
        completed(status: code)
    }

    /// The head of a streamed response from the upstream, decorated.
    func writeHead(_ response: HTTPResponse) {
        guard let context, let current else { return }
        var response = response
        current.admission.decorate(&response.headerFields)
        current.status = response.status.code
        context.write(wrapOutboundOut(.head(response)), promise: nil)
    }

    func writeBody(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(.body(bytes)), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func writeEnd(_ trailers: HTTPFields?) {
        guard let context, let current else { return }
        context.write(wrapOutboundOut(.end(trailers)), promise: nil)
        context.flush()
        completed(status: current.status)
    }

    /// Whether the client takes bytes as fast as they come: when it does not, the upstream is read no further.
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func sendContinue() {
        context?.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// A streamed response cut short: the client must see the cut, so the connection closes.
    func abort() {
        guard let current else { return }
        done = true
        completed(status: current.status)
        context?.close(promise: nil)
    }

    /// Reading pauses while the upstream takes no more of the body.
    func pauseReading() {
        uploadPaused = true
    }

    func resumeReading() {
        uploadPaused = false
        resumeHeldRead()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .proxy(let exchange)? = current?.work { exchange.clientWritable() }
        context.fireChannelWritabilityChanged()
    }

    private func resumeHeldRead() {
        guard readHeld, waiting.isEmpty, !uploadPaused, let context else { return }
        readHeld = false
        context.read()
    }

    /// The response is complete: the request is logged and counted, and the next one can start.
    private func completed(status: Int) {
        guard let current else { return }
        self.current = nil
        uploadPaused = false
        let admission = current.admission
        services.accessLog?.record(
            current.request, cors: admission.cors, protection: admission.protection, status: status,
            duration: current.start.duration(to: .now))
        if let cors = admission.cors { services.metrics?.record(cors: cors, protection: admission.protection) }
        services.metrics?.requestEnded()
        // Answered before its body was read: the connection closes, the rest of the body unread.
        if !current.requestEnded { done = true }
        // What waited, in order, until a request again waits for its response.
        while !done, let input = waiting.first, self.current?.requestEnded != true {
            waiting.removeFirst()
            if self.current == nil { begin(with: input) } else { proceed(with: input) }
        }
        resumeHeldRead()
    }
}
