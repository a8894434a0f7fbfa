public import CORSCore
import HTTPTypes
public import Logging
import NIOHTTP1
import NIOHTTPTypesHTTP1
public import Vapor

/// Refuses state-changing requests that a browser sent from another origin (see `CrossOriginProtection`).
///
/// Install it after ``CORSPolicyMiddleware`` (``Vapor/Application/useCrossOriginProtection(_:logger:logLevel:)`` puts it
/// right after it): CORS answers preflights and decorates every response, this refuses forged `POST`s with a 403
/// before they reach authentication or a handler.
public struct CrossOriginProtectionMiddleware: Middleware {
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

    /// Refuses a cross-origin request or decorates the next responder's response; with futures, so that no task is
    /// started and no thread is hopped to per request (see ``CORSPolicyMiddleware``).
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let method = HTTPRequest.Method(request.method.rawValue) else {
            return request.eventLoop.makeSucceededFuture(Response(status: .badRequest))
        }
        let head = HTTPRequest(
            method: method, scheme: nil, authority: request.headers.first(name: .host), path: request.url.string,
            headerFields: HTTPFields(request.headers, splitCookie: false))
        let decision = protection.evaluate(head)
        if let logger, logger.logLevel <= logLevel, let message = decision.logMessage(for: head) {
            logger.log(level: logLevel, "\(message)")
        }
        if let rejection = decision.rejectionResponse {
            return request.eventLoop.makeSucceededFuture(
                Response(
                    status: HTTPResponseStatus(statusCode: Int(rejection.status.code)),
                    headers: HTTPHeaders(rejection.headerFields),
                    body: .init(string: decision.rejectionBody)))
        }
        return next.respond(to: request).map { response in
            var fields = HTTPFields(response.headers, splitCookie: false)
            decision.apply(to: &fields)
            response.headers = HTTPHeaders(fields)
            return response
        }
    }
}

extension Application {
    /// Installs ``CrossOriginProtectionMiddleware`` at the beginning of the global middleware — call it before
    /// ``useCORS(_:originSource:logger:logLevel:)`` so that CORS stays outermost — and returns it.
    @discardableResult
    public func useCrossOriginProtection(
        _ protection: CrossOriginProtection, logger: Logger? = nil, logLevel: Logger.Level = .debug
    ) -> CrossOriginProtectionMiddleware {
        let middleware = CrossOriginProtectionMiddleware(protection, logger: logger, logLevel: logLevel)
        self.middleware.use(middleware, at: .beginning)
        return middleware
    }
}
