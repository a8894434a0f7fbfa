public import CORSCore
public import Hummingbird
public import Logging

/// Applies a ``CORSPolicy`` in a Hummingbird 2 router.
///
/// Add it to the **router**, before any route, so that it sees every request — preflights to paths or methods with
/// no route included (group middleware never sees those: Hummingbird answers them 404 first):
///
/// ```swift
/// let router = Router()
/// router.add(middleware: CORSPolicyMiddleware(try CORSPolicy(contentsOf: "cors.json")))
/// router.get("/items") { _, _ in "[]" }
/// ```
///
/// Per-path rules come from the policy's `routes`, not from router groups. Preflights are answered here, with the
/// policy's status and fields or a 403 (and, when the routes make the path matter, a request whose path has no
/// single meaning gets a 400); other requests (a non-preflight `OPTIONS` included) go to the handler, and
/// its response — or the response of the error it throws — gets the CORS fields, with its own `Vary` kept.
public struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware, CORSPolicyServing {
    /// The policy in force; ``reconfigure(_:)-(CORSPolicy)`` replaces it atomically.
    public let state: CORSPolicyState
    /// When set, each refused CORS request is logged (at `debug`) with its reason; responses never say why.
    public let debugLogger: Logger?

    public init(_ policy: CORSPolicy, debugLogger: Logger? = nil) {
        self.init(state: CORSPolicyState(policy), debugLogger: debugLogger)
    }

    /// A middleware sharing `state` with others (for example, one `cors serve` reloads).
    public init(state: CORSPolicyState, debugLogger: Logger? = nil) {
        self.state = state
        self.debugLogger = debugLogger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let decision = state.policy.evaluate(request.head)
        if let debugLogger, let message = decision.logMessage(for: request.head) {
            debugLogger.debug("\(message)")
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
