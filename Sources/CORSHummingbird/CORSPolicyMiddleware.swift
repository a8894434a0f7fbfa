public import CORSCore
public import Hummingbird
public import Logging

/// Applies a `CORSPolicy` in a Hummingbird 2 router.
///
/// Add it to the **router**, before any route, so that it sees every request — preflights to paths or methods with
/// no route included (group middleware never sees those: Hummingbird answers them 404 first):
///
/// ```swift
/// let router = Router()
/// router.add(middleware: CORSPolicyMiddleware(try CORSPolicy(json: policyText)))
/// router.get("/items") { _, _ in "[]" }
/// ```
///
/// Per-path rules come from the policy's `routes`, not from router groups. Preflights are answered here, with the
/// policy's status and fields or a 403 (and, when the routes make the path matter, a request whose path has no
/// single meaning gets a 400); other requests (a non-preflight `OPTIONS` included) go to the handler, and its
/// response — or the response of the error it throws — gets the CORS fields, with its own `Vary` kept.
public struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
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

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await Self.respond(
            to: request, context: context, policy: state.policy, originSource: originSource, logger: logger,
            logLevel: logLevel, next: next)
    }

    /// The middleware's work for one request under `policy`, for shells that hold the policy themselves.
    package static func respond(
        to request: Request, context: Context, policy: CORSPolicy, originSource: (any OriginSource)? = nil,
        logger: Logger?, logLevel: Logger.Level,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let decision: CORSDecision
        if let originSource {
            let asked = await policy.evaluate(request.head, asking: originSource)
            decision = asked.decision
            if let failure = asked.sourceFailure { logger?.warning("\(failure)") }
        } else {
            decision = policy.evaluate(request.head)
        }
        if let logger, logger.logLevel <= logLevel, let message = decision.logMessage(for: request.head) {
            logger.log(level: logLevel, "\(message)")
        }
        if let immediate = decision.immediateResponse {
            return Response(status: immediate.status, headers: immediate.headerFields)
        }
        do {
            var response = try await next(request, context)
            decision.apply(to: &response.headers)
            return response
        } catch {
            throw CORSDecoratedError(original: error, decision: decision)
        }
    }
}

/// A thrown error whose response gets the CORS fields, so that a page can read the error.
struct CORSDecoratedError: HTTPResponseError {
    let original: any Error
    let decision: CORSDecision

    var status: HTTPResponse.Status {
        (original as? any HTTPResponseError)?.status ?? .internalServerError
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response =
            if let original = original as? any HTTPResponseError {
                try original.response(from: request, context: context)
            } else {
                Response(status: .internalServerError)
            }
        decision.apply(to: &response.headers)
        return response
    }
}
