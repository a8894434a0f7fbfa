import CORSCore
import CORSHummingbird
import CORSVapor
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Vapor

/// The two frameworks the middlewares serve, each able to run the same app: swift-cors's middlewares in front of
/// the same routes, on a live loopback server.
enum Framework: String, CaseIterable, CustomTestStringConvertible {
    case hummingbird
    case vapor

    var testDescription: String { rawValue }

    /// Runs the app with `cors` (and `protection`, after it) and gives `body` its base URL.
    func run(
        cors: CORSPolicyState, originSource: (any OriginSource)? = nil, protection: CrossOriginProtection? = nil,
        logger: Logging.Logger? = nil, _ body: @Sendable (String) async throws -> Void
    ) async throws {
        switch self {
        case .hummingbird:
            try await Self.runHummingbird(
                cors: cors, originSource: originSource, protection: protection, logger: logger, body)
        case .vapor:
            try await Self.runVapor(
                cors: cors, originSource: originSource, protection: protection, logger: logger, body)
        }
    }

    private static func runHummingbird(
        cors: CORSPolicyState, originSource: (any OriginSource)?, protection: CrossOriginProtection?,
        logger: Logging.Logger?,
        _ body: @Sendable (String) async throws -> Void
    ) async throws {
        try await withServer({ router in
            router.add(middleware: CORSPolicyMiddleware(state: cors, originSource: originSource, logger: logger))
            if let protection { router.add(middleware: CrossOriginProtectionMiddleware(protection, logger: logger)) }
            addRoutes(router)
        }) { base, _ in try await body(base) }
    }

    private static func runVapor(
        cors: CORSPolicyState, originSource: (any OriginSource)?, protection: CrossOriginProtection?,
        logger: Logging.Logger?,
        _ body: @Sendable (String) async throws -> Void
    ) async throws {
        try await withVapor({ application in
            // Protection first, then CORS at .beginning: CORS ends up outermost, as `useCORS` puts it.
            if let protection { application.useCrossOriginProtection(protection, logger: logger) }
            application.middleware.use(
                CORSVapor.CORSPolicyMiddleware(state: cors, originSource: originSource, logger: logger), at: .beginning)
            addRoutes(application)
        }) { base in try await body(base) }
    }
}
