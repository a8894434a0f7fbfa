import CORSCore
import CORSHummingbird
package import Hummingbird
package import Logging

/// A whole policy file in a Hummingbird router: its CORS policy, then its cross-origin protection, both from one
/// snapshot of a ``PolicyFileState`` taken per request, so that a reload never splits a request between two files.
package struct PolicyFileMiddleware<Context: RequestContext>: RouterMiddleware {
    let state: PolicyFileState
    /// Where refused CORS requests and refused cross-origin requests are logged, at `debug`, with their codes.
    let logger: Logger?

    package init(state: PolicyFileState, logger: Logger?) {
        self.state = state
        self.logger = logger
    }

    package func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let file = state.file
        return try await CORSPolicyMiddleware.respond(
            to: request, context: context, policy: file.policy, logger: logger, logLevel: .debug
        ) { request, context in
            guard let protection = file.crossOriginProtection else { return try await next(request, context) }
            return try await CrossOriginProtectionMiddleware.respond(
                to: request, context: context, protection: protection, logger: logger, logLevel: .debug, next: next)
        }
    }
}
