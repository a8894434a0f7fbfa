import HTTP1Wire
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The gateway's HTTP/1.1 child channel for Hummingbird: the strict codec of ``HTTP1ServerConnection`` instead of
/// NIO's lenient one, and a request loop that can never read a connection twice at once.
///
/// Hummingbird's own loop drains a request body after the response by iterating the connection again; if a handler
/// still has a read pending — a proxy whose upstream answered before the client finished uploading — two reads meet
/// and NIO stops the process. Here every read goes through one ``InboundReader``, which refuses a second concurrent
/// read with an error instead, and the proxy never returns with a read in flight.
struct GatewayChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: GatewayLimits
    let registry: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(HTTP1ServerConnection(limits: limits, registry: registry))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        let channel = value.channel
        do {
            try await withTaskCancellationHandler {
                try await value.executeThenClose { inbound, outbound in
                    let reader = InboundReader(inbound.makeAsyncIterator())
                    while true {
                        let part: HTTPRequestPart?
                        do {
                            part = try await reader.next()
                        } catch let error as HTTP1Error {
                            try await Self.refuse(error, outbound: outbound)
                            break
                        }
                        guard case .head(let head) = part else { break }
                        let body = RequestBodyReader(reader: reader, outbound: outbound, head: head)
                        let request = Request(head: head, body: RequestBody(asyncSequence: body))
                        try await responder(request, ResponseWriter(outbound: outbound), channel)
                        guard try await body.skipRest() else { break }
                    }
                    outbound.finish()
                    try await channel.closeFuture.get()
                }
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            logger.trace("connection ended: \(error)")
        }
    }

    /// The answer to a request that could not be parsed: its status, a JSON body naming the problem, and the end of
    /// the connection.
    static func refuse(_ error: HTTP1Error, outbound: NIOAsyncChannelOutboundWriter<HTTPResponsePart>) async throws {
        var body = ByteBuffer()
        body.writeString(JSONOutput.encode(["error": error.code, "message": error.description]))
        let head = HTTPResponse(
            status: .init(code: error.status),
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
            ])
        try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
    }
}

/// The one way to read a connection's request parts: a second read while one is pending is an error, never a
/// crash (NIO's iterator stops the process on concurrent reads).
final class InboundReader: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<HTTPRequestPart>.AsyncIterator
    private let busy = Atomic<Bool>(false)

    struct ConcurrentRead: Error {}

    init(_ iterator: NIOAsyncChannelInboundStream<HTTPRequestPart>.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> HTTPRequestPart? {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw ConcurrentRead()
        }
        defer { busy.store(false, ordering: .releasing) }
        return try await iterator.next()
    }
}

/// One request's body, read from the connection: it answers `Expect: 100-continue` when first read (as Go's
/// server does — a handler that never reads the body never asks for it), ends at the request's end, and reports a
/// connection that ends mid-body as an error rather than as a shorter body.
final class RequestBodyReader: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let reader: InboundReader
    let outbound: NIOAsyncChannelOutboundWriter<HTTPResponsePart>
    private let state: Mutex<(ended: Bool, continued: Bool)>

    init(reader: InboundReader, outbound: NIOAsyncChannelOutboundWriter<HTTPResponsePart>, head: HTTPRequest) {
        self.reader = reader
        self.outbound = outbound
        let expects = head.headerFields[.expect].map { $0.lowercased() == "100-continue" } ?? false
        state = Mutex((ended: false, continued: !expects))
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: RequestBodyReader

        mutating func next() async throws -> ByteBuffer? {
            try await body.read()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }

    private func read() async throws -> ByteBuffer? {
        let (ended, continued) = state.withLock { state in
            let was = state
            state.continued = true
            return was
        }
        if ended { return nil }
        if !continued { try await outbound.write(.head(HTTPResponse(status: .continue))) }
        switch try await reader.next() {
        case .body(let bytes):
            return bytes
        case .end:
            state.withLock { $0.ended = true }
            return nil
        case .head, nil:
            throw HTTP1Error.truncated
        }
    }

    /// Reads what is left of the body, so that the next request can be read; `false` when the connection ended.
    func skipRest() async throws -> Bool {
        while true {
            if state.withLock({ $0.ended }) { return true }
            switch try await reader.next() {
            case .body: continue
            case .end: return true
            case .head, nil: return false
            }
        }
    }
}
