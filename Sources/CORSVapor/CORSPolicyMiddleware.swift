public import CORSCore
import HTTPTypes
public import Logging
import NIOHTTP1
import NIOHTTPTypesHTTP1
public import Vapor

/// Applies a `CORSPolicy` in a Vapor 4 application.
///
/// Install it with ``Vapor/Application/useCORS(_:originSource:logger:logLevel:)``, which puts it at `.beginning` of the global
/// middleware: before the `ErrorMiddleware` (so errors and 404s get CORS fields) and before any authentication (so
/// preflights, which carry no credentials, are answered):
///
/// ```swift
/// let cors = app.useCORS(try CORSPolicy(json: policyText))
/// try cors.state.reconfigure(newConfiguration)     // atomic, while requests are served
/// ```
///
/// Per-path rules come from the policy's `routes`, not from route groups: a group's middleware never sees a
/// preflight to a path with no `OPTIONS` route, which Vapor answers 404 first.
public struct CORSPolicyMiddleware: Middleware {
    /// The policy in force; `state.reconfigure(_:)` replaces it atomically while requests are served.
    public let state: CORSPolicyState
    /// Where each refused CORS request is logged, with its reason code; responses never say why.
    public let logger: Logger?
    /// The level of those log lines.
    public let logLevel: Logger.Level
    /// Where origins the policy does not list are allowed at request time (see `OriginSource` in CORSCore); a source
    /// that fails is logged at `warning` and the origin refused.
    public let originSource: (any OriginSource)?

    public init(
        _ policy: CORSPolicy, originSource: (any OriginSource)? = nil, logger: Logger? = nil,
        logLevel: Logger.Level = .debug
    ) {
        self.init(state: CORSPolicyState(policy), originSource: originSource, logger: logger, logLevel: logLevel)
    }

    /// A middleware serving the policy in `state`, which can be replaced while it runs.
    public init(
        state: CORSPolicyState, originSource: (any OriginSource)? = nil, logger: Logger? = nil,
        logLevel: Logger.Level = .debug
    ) {
        self.state = state
        self.originSource = originSource
        self.logger = logger
        self.logLevel = logLevel
    }

    /// Decides, then answers a preflight itself or decorates the next responder's response.
    ///
    /// Written with futures, not as an `AsyncMiddleware`: Vapor runs an async middleware in a task of its own per
    /// request and hops back to the event loop after it, which cost more than the CORS work itself (1.76 context
    /// switches per request against 0.20 without middleware, counted by `scripts/bench-http.sh`). A task runs only
    /// when an `OriginSource` must be asked.
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let policy = state.policy
        guard let originSource else {
            return respond(to: request, decision: Self.evaluate(request, under: policy), chainingTo: next)
        }
        guard let head = Self.head(of: request) else {
            return request.eventLoop.makeSucceededFuture(Response(status: .badRequest))
        }
        let logger = logger
        let promise = request.eventLoop.makePromise(of: CORSDecision.self)
        promise.completeWithTask {
            let asked = await policy.evaluate(head, asking: originSource)
            if let failure = asked.sourceFailure { logger?.warning("\(failure)") }
            return asked.decision
        }
        return promise.futureResult.flatMap { decision in
            respond(to: request, decision: decision, chainingTo: next)
        }
    }

    /// The policy's decision, without an `HTTPRequest`: building one costs more than the decision. One scan of the
    /// request's field names finds what the policy reads; the fields are converted to `HTTPFields` only when the
    /// policy asks (a possible preflight), the method read only when the request asks for one, the path only when
    /// the policy has routes.
    private static func evaluate(_ request: Request, under policy: CORSPolicy) -> CORSDecision {
        var origin: String?
        var originCount = 0
        var asksMethod = false
        for (name, value) in request.headers {
            switch CORSPolicy.readFieldName(name) {
            case .origin?:
                originCount += 1
                if origin == nil { origin = value }
            case .accessControlRequestMethod?: asksMethod = true
            default: continue
            }
        }
        return policy.evaluate(
            origin: origin, originCount: originCount, asksMethod: asksMethod, isOptions: request.method == .OPTIONS,
            path: request.url.string, fields: { readFields(of: request) })
    }

    /// The request fields the policy reads, in one pass over the request's.
    private static func readFields(of request: Request) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in request.headers {
            if let name = CORSPolicy.readFieldName(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    /// The request as the policy sees it: the fields it reads, its method and its path; `nil` when the method is not
    /// a token.
    private static func head(of request: Request) -> HTTPRequest? {
        guard let method = HTTPRequest.Method(request.method.rawValue) else { return nil }
        return HTTPRequest(
            method: method, scheme: nil, authority: nil, path: request.url.string, headerFields: readFields(of: request)
        )
    }

    private func respond(
        to request: Request, decision: CORSDecision, chainingTo next: any Responder
    ) -> EventLoopFuture<Response> {
        if let logger, logger.logLevel <= logLevel, let head = Self.head(of: request),
            let message = decision.logMessage(for: head)
        {
            logger.log(level: logLevel, "\(message)")
        }
        if let immediate = decision.immediateResponse {
            return request.eventLoop.makeSucceededFuture(
                Response(
                    status: HTTPResponseStatus(statusCode: Int(immediate.status.code)),
                    headers: HTTPHeaders(immediate.headerFields)))
        }
        // One stage after the next responder, as a middleware that only adds fields has: `flatMapError` then `map`
        // cost a second promise and callback on every request.
        let decorated = request.eventLoop.makePromise(of: Response.self)
        next.respond(to: request).whenComplete { result in
            switch result {
            case .success(let response):
                Self.apply(decision, to: response)
                decorated.succeed(response)
            case .failure(let error):
                // Only when no ErrorMiddleware runs inside this one: render the error as Vapor would.
                ErrorMiddleware.default(environment: request.application.environment)
                    .respond(to: request, chainingTo: FailingResponder(error: error))
                    .map { response in
                        Self.apply(decision, to: response)
                        return response
                    }
                    .cascade(to: decorated)
            }
        }
        return decorated.futureResult
    }

    /// Applies the decision to the CORS fields and `Vary` only, leaving every other field as it is; when the response
    /// has none of those (the common case), the decision's fields are simply added.
    private static func apply(_ decision: CORSDecision, to response: Response) {
        var headers = response.headers
        // The response lets go of its copy while the fields are added, so that they are added in place rather than
        // to a copy of the whole list.
        response.headers = HTTPHeaders()
        var touched = HTTPFields()
        if headers.contains(where: { CORSDecision.appliesToField(rawName: $0.name) }) {
            for (name, value) in headers {
                guard CORSDecision.appliesToField(rawName: name), let name = HTTPField.Name(name) else { continue }
                touched.append(HTTPField(name: name, value: value))
            }
            for name in Set(touched.map(\.name)) { headers.remove(name: name.rawName) }
        }
        decision.apply(to: &touched)
        headers.reserveCapacity(headers.count + touched.count)
        for field in touched { headers.add(name: field.name.rawName, value: field.value) }
        response.headers = headers
    }
}

private struct FailingResponder: Responder {
    let error: any Error
    func respond(to request: Request) -> EventLoopFuture<Response> {
        request.eventLoop.makeFailedFuture(error)
    }
}

extension Application {
    /// Installs ``CORSPolicyMiddleware`` at the beginning of the global middleware and returns it (keep it to call
    /// `reconfigure`).
    @discardableResult
    public func useCORS(
        _ policy: CORSPolicy, originSource: (any OriginSource)? = nil, logger: Logger? = nil,
        logLevel: Logger.Level = .debug
    ) -> CORSPolicyMiddleware {
        let middleware = CORSPolicyMiddleware(policy, originSource: originSource, logger: logger, logLevel: logLevel)
        self.middleware.use(middleware, at: .beginning)
        return middleware
    }
}
