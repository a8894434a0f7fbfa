// The floor of any CORS middleware, for cors-bench-server and cors-middleware-bench: a middleware that calls the next
// responder and adds fixed fields to its response (none for `pass`; the allowed answer's two for `fields`), deciding
// nothing.
public import Hummingbird
public import Vapor

/// In Hummingbird.
public struct PassMiddleware<Context: RequestContext>: RouterMiddleware {
    let fields: HTTPFields

    public init(fields: HTTPFields) { self.fields = fields }

    public func handle(
        _ request: Hummingbird.Request, context: Context,
        next: (Hummingbird.Request, Context) async throws -> Hummingbird.Response
    ) async throws -> Hummingbird.Response {
        var response = try await next(request, context)
        if !fields.isEmpty { response.headers.append(contentsOf: fields) }
        return response
    }
}

/// In Vapor, with futures (as `CORSVapor` is written: an `AsyncMiddleware` costs a task hop per request).
public struct VaporPassMiddleware: Vapor.Middleware {
    let fields: HTTPHeaders

    public init(fields: HTTPHeaders) { self.fields = fields }

    public func respond(to request: Vapor.Request, chainingTo next: any Vapor.Responder)
        -> EventLoopFuture<Vapor.Response>
    {
        next.respond(to: request).map { response in
            if !fields.isEmpty { response.headers.add(contentsOf: fields) }
            return response
        }
    }
}
