public import AsyncHTTPClient
import CORSCore
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import NIOHTTP1

/// Forwards requests to an upstream, streaming both bodies: nothing holds a whole body in memory.
///
/// Hop-by-hop fields are dropped both ways (RFC 9110 §7.6.1), `Forwarded` and `X-Forwarded-*` are added, and an
/// upstream that cannot be reached gives a 502 — which the CORS middleware around this decorates like any response,
/// so the page can read it.
public struct ReverseProxy: Sendable {
    let upstream: URLBase
    let client: HTTPClient
    let timeout: TimeAmount
    let logger: Logger

    /// The scheme, authority and base path requests are forwarded to.
    struct URLBase: Sendable {
        let scheme: String
        let authority: String
        let basePath: String
    }

    /// - Parameter upstream: `http(s)://host[:port][/base/path]`.
    public init?(upstream: String, client: HTTPClient, timeoutSeconds: Int64 = 60, logger: Logger) {
        guard let separator = upstream.firstRange(of: "://") else { return nil }
        let scheme = String(upstream[..<separator.lowerBound]).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = upstream[separator.upperBound...]
        let authority = String(rest.prefix { $0 != "/" })
        guard !authority.isEmpty else { return nil }
        var basePath = String(rest.dropFirst(authority.count))
        while basePath.hasSuffix("/") { basePath.removeLast() }
        self.upstream = URLBase(scheme: scheme, authority: authority, basePath: basePath)
        self.client = client
        self.timeout = .seconds(timeoutSeconds)
        self.logger = logger
    }

    /// Fields that concern one connection only, never forwarded (RFC 9110 §7.6.1), plus the ones the proxy sets.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "host",
    ]

    static func hopByHopNames(_ fields: HTTPFields) -> Set<String> {
        var names = hopByHop
        for value in fields[values: .connection] {
            for token in value.split(separator: ",") {
                names.insert(String(token.filter { $0 != " " && $0 != "\t" }).lowercased())
            }
        }
        return names
    }

    public func respond(to request: Request, context: GatewayContext) async throws -> Response {
        let target = upstream.scheme + "://" + upstream.authority + upstream.basePath + request.uri.description
        var outgoing = HTTPClientRequest(url: target)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        let dropped = Self.hopByHopNames(request.headers)
        for field in request.headers where !dropped.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        let host = request.head.authority ?? ""
        let forwardedFor = client.contains(":") ? "\"[\(client)]\"" : client
        outgoing.headers.add(name: "Forwarded", value: "for=\(forwardedFor);host=\"\(host)\";proto=http")
        let priorFor = request.headers[.init("X-Forwarded-For")!]
        outgoing.headers.replaceOrAdd(name: "X-Forwarded-For", value: priorFor.map { "\($0), \(client)" } ?? client)
        outgoing.headers.replaceOrAdd(name: "X-Forwarded-Host", value: host)
        outgoing.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: "http")
        if let length = request.headers[.contentLength].flatMap(Int.init) {
            if length > 0 { outgoing.body = .stream(request.body, length: .known(Int64(length))) }
        } else if request.headers.contains(.transferEncoding) {
            outgoing.body = .stream(request.body, length: .unknown)
        }

        let response: HTTPClientResponse
        do {
            response = try await self.client.execute(outgoing, timeout: timeout)
        } catch {
            logger.warning("upstream \(upstream.authority) failed: \(String(describing: error))")
            return Response(
                status: .badGateway, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"the upstream server could not be reached"}"#)))
        }
        var fields = HTTPFields()
        let responseHeaders = HTTPFields(
            response.headers.compactMap { header in
                HTTPField.Name(header.name).map { HTTPField(name: $0, lenientValue: Array(header.value.utf8)) }
            })
        let droppedResponse = Self.hopByHopNames(responseHeaders)
        for field in responseHeaders where !droppedResponse.contains(field.name.canonicalName) {
            fields.append(field)
        }
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: fields, body: ResponseBody(asyncSequence: response.body))
    }
}
