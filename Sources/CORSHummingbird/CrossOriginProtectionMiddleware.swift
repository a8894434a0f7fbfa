public import CORSCore
public import Hummingbird
public import Logging
import NIOCore

/// Refuses state-changing requests that a browser sent from another origin (see `CrossOriginProtection`).
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
    public let protection: CrossOriginProtection
    /// Where each refusal (and, in report-only mode, each would-be refusal) is logged, with its reason code.
    public let logger: Logger?
    /// The level of those log lines.
    public let logLevel: Logger.Level

    public init(_ protection: CrossOriginProtection, logger: Logger? = nil, logLevel: Logger.Level = .debug) {
        self.protection = protection
        self.logger = logger
        self.logLevel = logLevel
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await Self.respond(
            to: request, context: context, protection: protection, logger: logger, logLevel: logLevel, next: next)
    }

    /// The middleware's work for one request under `protection`, for shells that hold it themselves.
    package static func respond(
        to request: Request, context: Context, protection: CrossOriginProtection, logger: Logger?,
        logLevel: Logger.Level,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let decision = protection.evaluate(request.head)
        if let logger, logger.logLevel <= logLevel, let message = decision.logMessage(for: request.head) {
            logger.log(level: logLevel, "\(message)")
        }
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
