public import CORSCore
public import Hummingbird
public import Logging
import NIOCore

/// Refuses state-changing requests that a browser sent from another origin (see ``CrossOriginProtection``).
///
/// Add it after ``CORSPolicyMiddleware``: CORS answers preflights and decorates responses; this refuses forged
/// `POST`s with a 403 before they reach a handler. An origin CORS lets *read* is not trusted to *change state*
/// unless it is in `trustedOrigins` too.
///
/// ```swift
/// router.add(middleware: CORSPolicyMiddleware(policy))
/// router.add(middleware: CrossOriginProtectionMiddleware(try CrossOriginProtection(.init(trustedOrigins: [...]))))
/// ```
public struct CrossOriginProtectionMiddleware<Context: RequestContext>: RouterMiddleware {
    private enum Source: Sendable {
        case fixed(CrossOriginProtection)
        case policy(CORSPolicyState)
    }

    private let source: Source
    /// Where refusals (and, in report-only mode, would-be refusals) are logged, at `info`.
    public let logger: Logger?

    public init(_ protection: CrossOriginProtection, logger: Logger? = nil) {
        source = .fixed(protection)
        self.logger = logger
    }

    /// Uses the `crossOriginProtection` of whatever policy `state` holds (none: every request passes).
    public init(policyState: CORSPolicyState, logger: Logger? = nil) {
        source = .policy(policyState)
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let protection: CrossOriginProtection?
        switch source {
        case .fixed(let fixed): protection = fixed
        case .policy(let state): protection = state.policy.crossOriginProtection
        }
        guard let protection else { return try await next(request, context) }
        let decision = protection.evaluate(request.head)
        if let logger, let message = decision.logMessage(for: request.head) { logger.info("\(message)") }
        if let rejection = decision.rejectionResponse {
            return Response(
                status: rejection.status, headers: rejection.headerFields,
                body: .init(byteBuffer: ByteBuffer(string: decision.rejectionBody)))
        }
        var response = try await next(request, context)
        decision.apply(to: &response.headers)
        return response
    }
}
