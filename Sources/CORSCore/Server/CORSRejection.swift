/// Why a policy refused a CORS request: a stable ``code`` for logs and tools, and the offending value when there is
/// one. New reasons may be added in any release, so match on the static members or on ``code``, never exhaustively.
///
/// A rejection is for the server's logs: responses never reveal it, so an attacker learns nothing by probing.
public struct CORSRejection: Sendable, Hashable, CustomStringConvertible {
    private enum Base: String {
        case multipleOrigins = "multiple-origins"
        case malformedOrigin = "malformed-origin"
        case originNotAllowed = "origin-not-allowed"
        case invalidRequestMethod = "invalid-request-method"
        case methodNotAllowed = "method-not-allowed"
        case invalidRequestHeaders = "invalid-request-headers"
        case headerNotAllowed = "header-not-allowed"
        case ambiguousPath = "ambiguous-path"
        case corsDisabled = "cors-disabled"
        case insecureOriginWithCredentials = "insecure-origin-with-credentials"
    }

    private let base: Base
    /// What was refused, when it is one value: the method, the header name, the list's problem, the path's problem.
    public let detail: String?

    private init(_ base: Base, _ detail: String? = nil) {
        self.base = base
        self.detail = detail
    }

    /// The stable identifier.
    public var code: String { base.rawValue }

    /// The request has more than one `Origin` field line; browsers send one.
    public static let multipleOrigins = Self(.multipleOrigins)
    /// The `Origin` value is not a serialization a browser would send.
    public static let malformedOrigin = Self(.malformedOrigin)
    /// The origin is not in the policy's allowed origins (this includes `null`).
    public static let originNotAllowed = Self(.originNotAllowed)
    /// `Access-Control-Request-Method` is missing a value, repeated, or not a method token.
    public static let invalidRequestMethod = Self(.invalidRequestMethod)

    /// The requested method is not allowed.
    public static func methodNotAllowed(_ method: String) -> Self { Self(.methodNotAllowed, method) }

    /// `Access-Control-Request-Headers` is not a list of header names, or is longer than the parser's limits.
    public static func invalidRequestHeaders(_ failure: HeaderList.Failure) -> Self {
        Self(.invalidRequestHeaders, "\(failure)")
    }

    /// A requested header is not allowed.
    public static func headerNotAllowed(_ name: String) -> Self { Self(.headerNotAllowed, name) }

    /// The policy's routes make the path matter and it has no single meaning; answered with 400.
    public static func ambiguousPath(_ ambiguity: PathAmbiguity) -> Self { Self(.ambiguousPath, ambiguity.code) }

    /// The request's path is under a route with `cors: false`.
    public static let corsDisabled = Self(.corsDisabled)

    /// An ``OriginSource`` would allow the origin, but it is not potentially trustworthy (https, wss or loopback) and
    /// the rules allow credentials: the same rule a listed origin must pass (`dangerouslyAllowInsecureOriginsWithCredentials`
    /// lifts it).
    public static let insecureOriginWithCredentials = Self(.insecureOriginWithCredentials)

    var isAmbiguousPath: Bool { base == .ambiguousPath }

    public var description: String {
        let detail = detail ?? ""
        switch base {
        case .multipleOrigins: return "the request has several Origin headers"
        case .malformedOrigin: return "the Origin header is not a serialized origin"
        case .originNotAllowed: return "the origin is not allowed"
        case .invalidRequestMethod: return "Access-Control-Request-Method is not a single method token"
        case .methodNotAllowed: return "the method \(detail) is not allowed"
        case .invalidRequestHeaders: return "Access-Control-Request-Headers is invalid (\(detail))"
        case .headerNotAllowed: return "the request header \(detail) is not allowed"
        case .ambiguousPath: return "the path has no single meaning [\(detail)]"
        case .corsDisabled: return "CORS is off for this path (its route has `cors: false`)"
        case .insecureOriginWithCredentials:
            return "the origin is not https or loopback, so it may not read credentialed responses"
        }
    }
}
