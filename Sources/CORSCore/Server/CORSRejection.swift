/// Why a policy refused a CORS request. Each case has a stable ``code`` for logs and tools.
///
/// A rejection is for the server's logs: responses never reveal it, so an attacker learns nothing by probing.
public enum CORSRejection: Sendable, Hashable, CustomStringConvertible {
    /// The request has more than one `Origin` field line; browsers send one.
    case multipleOrigins
    /// The `Origin` value is not a serialization a browser would send.
    case malformedOrigin
    /// The origin is not in the policy's allowed origins (this includes `null`).
    case originNotAllowed
    /// `Access-Control-Request-Method` is missing a value, repeated, or not a method token.
    case invalidRequestMethod
    /// The requested method is not allowed.
    case methodNotAllowed(String)
    /// `Access-Control-Request-Headers` is not a list of header names, or is longer than the parser's limits.
    case invalidRequestHeaders(HeaderList.Failure)
    /// A requested header is not allowed.
    case headerNotAllowed(String)
    /// The policy's routes make the path matter and it has no single meaning; answered with 400.
    case ambiguousPath(PathAmbiguity)

    /// The stable identifier of the reason.
    public var code: String {
        switch self {
        case .multipleOrigins: return "multiple-origins"
        case .malformedOrigin: return "malformed-origin"
        case .originNotAllowed: return "origin-not-allowed"
        case .invalidRequestMethod: return "invalid-request-method"
        case .methodNotAllowed: return "method-not-allowed"
        case .invalidRequestHeaders: return "invalid-request-headers"
        case .headerNotAllowed: return "header-not-allowed"
        case .ambiguousPath: return "ambiguous-path"
        }
    }

    public var description: String {
        switch self {
        case .multipleOrigins: return "the request has several Origin headers"
        case .malformedOrigin: return "the Origin header is not a serialized origin"
        case .originNotAllowed: return "the origin is not allowed"
        case .invalidRequestMethod: return "Access-Control-Request-Method is not a single method token"
        case .methodNotAllowed(let method): return "the method \(method) is not allowed"
        case .invalidRequestHeaders(let failure): return "Access-Control-Request-Headers is invalid (\(failure))"
        case .headerNotAllowed(let name): return "the request header \(name) is not allowed"
        case .ambiguousPath(let ambiguity): return "\(ambiguity) [\(ambiguity.code)]"
        }
    }
}
