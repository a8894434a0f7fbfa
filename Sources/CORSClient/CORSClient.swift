import AsyncHTTPClient
public import CORSCore
import HTTPTypes
import NIOCore
import NIOHTTP1

/// Fetches as a browser would: every request, preflight and redirect hop goes through `BrowserFetch`, and the
/// answer says what script on the page could read and why.
///
/// Usable as a test client for a server's CORS: `try await client.fetch(request).result.isReadable`.
///
/// ```swift
/// let client = CORSClient(profile: .chromium)
/// let request = CrossOriginRequest(origin: Origin(headerValue: "https://app.example.com")!,
///                                  url: "https://api.example.com/items", method: .put,
///                                  headerFields: [.contentType: "application/json"])
/// let outcome = await client.fetch(request)
/// print(outcome.result.isReadable, outcome.result.failure?.fix ?? "")
/// try await client.shutdown()
/// ```
public final class CORSClient: Sendable {
    /// What one fetch gave: the browser model's result and, when the page could read it, the body.
    public struct Outcome: Sendable {
        public let result: FetchResult
        /// The final response's body (up to the client's limit), when script could read it.
        public let body: [UInt8]?
    }

    public let profile: BrowserProfile
    public let cache: PreflightCache
    /// Cookies the client sends when a browser would attach credentials, and stores from credentialed responses.
    public let cookies: CookieJar
    private let http: HTTPClient
    private let timeout: TimeAmount
    private let maximumBodyBytes: Int

    /// - Parameters:
    ///   - profile: the engine whose behaviour to follow.
    ///   - cache: the preflight cache; share one between clients to model one browser.
    ///   - cookies: the cookies sent with credentialed requests and stored from their responses.
    ///   - timeoutSeconds: the limit for each request sent (and, up to 10 s, for connecting).
    ///   - maximumBodyBytes: the most body bytes kept from a readable response.
    public init(
        profile: BrowserProfile = .chromium, cache: PreflightCache = PreflightCache(), cookies: CookieJar = CookieJar(),
        timeoutSeconds: Int64 = 30, maximumBodyBytes: Int = 1 << 20
    ) {
        self.profile = profile
        self.cache = cache
        self.cookies = cookies
        self.timeout = .seconds(timeoutSeconds)
        self.maximumBodyBytes = maximumBodyBytes
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(min(timeoutSeconds, 10)), read: .seconds(timeoutSeconds)))
        configuration.decompression = .disabled
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Runs `request` as a browser would; `body` is sent with the actual request (never with a preflight).
    public func fetch(_ request: CrossOriginRequest, body: [UInt8]? = nil) async -> Outcome {
        var fetch = BrowserFetch(request, profile: profile, cache: cache)
        var action = fetch.start()
        var lastBody: [UInt8]?
        while case .send(let outgoing) = action {
            do {
                let (response, responseBody) = try await send(outgoing, body: outgoing.isPreflight ? nil : body)
                lastBody = responseBody
                action = fetch.receive(response)
            } catch {
                lastBody = nil
                action = fetch.receiveNetworkError(String(describing: error))
            }
        }
        guard case .finish(let result) = action else { preconditionFailure("a fetch ends with a result") }
        return Outcome(result: result, body: result.isReadable ? lastBody : nil)
    }

    private func send(_ outgoing: OutgoingRequest, body: [UInt8]?) async throws -> (HTTPResponse, [UInt8]) {
        var request = HTTPClientRequest(url: outgoing.url)
        request.method = HTTPMethod(rawValue: outgoing.method.rawValue)
        for field in outgoing.headerFields {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if outgoing.includesCredentials, let cookie = cookies.header(for: outgoing.url) {
            request.headers.add(name: "Cookie", value: cookie)
        }
        if let body, outgoing.method != .get, outgoing.method != .head {
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: timeout)
        var fields = HTTPFields()
        for (name, value) in response.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, lenientValue: Array(value.utf8)))
        }
        if outgoing.includesCredentials {
            for value in fields[values: .setCookie] { cookies.store(setCookie: value, for: outgoing.url) }
        }
        var bytes: [UInt8] = []
        for try await var chunk in response.body {
            let room = maximumBodyBytes - bytes.count
            guard room > 0 else { break }
            bytes += chunk.readBytes(length: min(room, chunk.readableBytes)) ?? []
        }
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        return (HTTPResponse(status: status, headerFields: fields), bytes)
    }

    /// Closes the client's connections.
    public func shutdown() async throws {
        try await http.shutdown()
    }
}
