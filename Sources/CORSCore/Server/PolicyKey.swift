/// The fields a policy and each of its routes have, spelled once: the policy file's keys, the diagnostics' paths,
/// the "did you mean" suggestions and a route's inheritance all come from this list.
enum PolicyKey: String, CaseIterable, Sendable {
    case allowOrigins
    case allowMethods
    case allowHeaders
    case exposeHeaders
    case allowCredentials
    case maxAge
    case preflightSuccessStatus
    case dangerouslyAllowInsecureOriginsWithCredentials
    case dangerouslyAllowPublicSuffixWildcardsWithCredentials

    /// Where the field lives in a top-level configuration and in a route, by its JSON type.
    enum Field {
        case strings(WritableKeyPath<CORSPolicy.Configuration, [String]>, WritableKeyPath<CORSPolicy.Route, [String]?>)
        case bool(WritableKeyPath<CORSPolicy.Configuration, Bool>, WritableKeyPath<CORSPolicy.Route, Bool?>)
        case integer(WritableKeyPath<CORSPolicy.Configuration, Int>, WritableKeyPath<CORSPolicy.Route, Int?>)
        case optionalInteger(WritableKeyPath<CORSPolicy.Configuration, Int?>, WritableKeyPath<CORSPolicy.Route, Int?>)
    }

    var field: Field {
        switch self {
        case .allowOrigins: .strings(\.allowOrigins, \.allowOrigins)
        case .allowMethods: .strings(\.allowMethods, \.allowMethods)
        case .allowHeaders: .strings(\.allowHeaders, \.allowHeaders)
        case .exposeHeaders: .strings(\.exposeHeaders, \.exposeHeaders)
        case .allowCredentials: .bool(\.allowCredentials, \.allowCredentials)
        case .maxAge: .optionalInteger(\.maxAge, \.maxAge)
        case .preflightSuccessStatus: .integer(\.preflightSuccessStatus, \.preflightSuccessStatus)
        case .dangerouslyAllowInsecureOriginsWithCredentials:
            .bool(\.dangerouslyAllowInsecureOriginsWithCredentials, \.dangerouslyAllowInsecureOriginsWithCredentials)
        case .dangerouslyAllowPublicSuffixWildcardsWithCredentials:
            .bool(
                \.dangerouslyAllowPublicSuffixWildcardsWithCredentials,
                \.dangerouslyAllowPublicSuffixWildcardsWithCredentials)
        }
    }

    /// Whether `route` sets this field itself (rather than inheriting it).
    func isSet(in route: CORSPolicy.Route) -> Bool {
        switch field {
        case .strings(_, let own): route[keyPath: own] != nil
        case .bool(_, let own): route[keyPath: own] != nil
        case .integer(_, let own): route[keyPath: own] != nil
        case .optionalInteger(_, let own): route[keyPath: own] != nil
        }
    }

    /// Copies this field from `route` into `configuration` when the route sets it.
    func inherit(from route: CORSPolicy.Route, into configuration: inout CORSPolicy.Configuration) {
        switch field {
        case .strings(let base, let own): if let value = route[keyPath: own] { configuration[keyPath: base] = value }
        case .bool(let base, let own): if let value = route[keyPath: own] { configuration[keyPath: base] = value }
        case .integer(let base, let own): if let value = route[keyPath: own] { configuration[keyPath: base] = value }
        case .optionalInteger(let base, let own):
            if let value = route[keyPath: own] { configuration[keyPath: base] = value }
        }
    }

    /// The other keys of a policy file's top level.
    static let routes = "routes"
    static let crossOriginProtection = "crossOriginProtection"
    /// The key a route names its prefix with.
    static let pathPrefix = "pathPrefix"
    /// The key that switches CORS off for a route.
    static let cors = "cors"
}
