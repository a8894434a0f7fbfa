public import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request as the scripted server received it.
public struct RecordedRequest: Sendable {
    public let method: String
    /// The request target (path and query).
    public let target: String
    /// The header fields, in order, duplicates kept.
    public let headerFields: HTTPFields
    /// The body, unless the server was started with `keepBodies: false`.
    public let body: [UInt8]
    /// How many body bytes arrived.
    public let bodyCount: Int
}

/// What the scripted server answers: any status and any header fields, duplicates and odd values included.
public struct ScriptedResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The body is `body` repeated this many times (to stream large responses from a small chunk).
    public var repeatBody: Int
    /// Seconds to wait before answering (a slow upstream).
    public var delay: Double

    public init(_ status: Int = 200, _ headers: [(String, String)] = [], body: String = "") {
        self.init(status, headers, bytes: Array(body.utf8))
    }

    public init(_ status: Int, _ headers: [(String, String)], bytes: [UInt8], repeatBody: Int = 1, delay: Double = 0) {
        self.status = status
        self.headers = headers
        self.body = bytes
        self.repeatBody = repeatBody
        self.delay = delay
    }
}

/// A loopback HTTP/1.1 server whose every response a test decides, recording what it receives.
public final class ScriptedServer: Sendable {
    public typealias Responder = @Sendable (RecordedRequest) -> ScriptedResponse

    private let channel: any Channel
    private let recorded: Mutex<[RecordedRequest]>
    /// The port it listens on, on 127.0.0.1 (or the host it was started on).
    public let port: Int
    public let host: String

    private init(channel: any Channel, host: String) {
        self.channel = channel
        self.host = host
        self.port = channel.localAddress?.port ?? 0
        self.recorded = Mutex([])
    }

    /// `http://host:port`, with IPv6 hosts in brackets.
    public var origin: String {
        "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// Everything received so far, in order.
    public var requests: [RecordedRequest] {
        recorded.withLock { $0 }
    }

    /// Starts a server on an ephemeral port of `host`.
    public static func start(
        host: String = "127.0.0.1", keepBodies: Bool = true, respond: @escaping Responder
    ) async throws -> ScriptedServer {
        let server = ServerBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(respond: respond, keepBodies: keepBodies, record: { request in server.record(request) })
                    )
                }
            }
            .bind(host: host, port: 0).get()
        let scripted = ScriptedServer(channel: channel, host: host)
        server.target.withLock { $0 = scripted }
        return scripted
    }

    fileprivate func record(_ request: RecordedRequest) {
        recorded.withLock { $0.append(request) }
    }

    public func shutdown() async throws {
        try await channel.close()
    }
}

/// Lets handlers created before the server object exists record into it.
private final class ServerBox: Sendable {
    let target = Mutex<ScriptedServer?>(nil)
    func record(_ request: RecordedRequest) {
        target.withLock { $0 }?.record(request)
    }
}

private final class Handler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: ScriptedServer.Responder
    let keepBodies: Bool
    let record: @Sendable (RecordedRequest) -> Void
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var bodyCount = 0

    init(
        respond: @escaping ScriptedServer.Responder, keepBodies: Bool,
        record: @escaping @Sendable (RecordedRequest) -> Void
    ) {
        self.respond = respond
        self.keepBodies = keepBodies
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            bodyCount = 0
        case .body(var buffer):
            bodyCount += buffer.readableBytes
            if keepBodies { body += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        case .end:
            guard let head else { return }
            var fields = HTTPFields()
            for (name, value) in head.headers {
                if let fieldName = HTTPField.Name(name) {
                    fields.append(HTTPField(name: fieldName, lenientValue: Array(value.utf8)))
                }
            }
            let request = RecordedRequest(
                method: head.method.rawValue, target: head.uri, headerFields: fields, body: body, bodyCount: bodyCount)
            record(request)
            var response = respond(request)
            if response.status == 204 || response.status == 304 || response.status < 200 {
                response.body = []  // these responses have no body (RFC 9110 §15.3.5, §15.4.5)
            }
            var headers = HTTPHeaders()
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            if !headers.contains(name: "content-length"), response.status != 204, response.status != 304 {
                headers.add(name: "content-length", value: String(response.body.count * response.repeatBody))
            }
            let responseHead = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            let isHead = head.method == .HEAD
            self.head = nil
            if response.delay > 0 {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let delayed = response
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(response.delay * 1000))) {
                    let (handler, context) = loopBound.value
                    handler.write(responseHead, delayed, isHead: isHead, context: context)
                }
            } else {
                write(responseHead, response, isHead: isHead, context: context)
            }
        }
    }

    func write(_ head: HTTPResponseHead, _ response: ScriptedResponse, isHead: Bool, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !isHead, !response.body.isEmpty {
            let chunk = ByteBuffer(bytes: response.body)
            for _ in 0..<response.repeatBody {
                context.write(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
            }
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
