import HTTPTypes

/// The validated rules of a policy as data, for tools that must enforce the same decisions elsewhere (`cors export`
/// writes them as nginx and Caddy configuration): what `evaluate` compiled, normalized and deduplicated, not the
/// configuration as written.
extension CORSPolicy {
    /// One set of rules: the top level, or one route's.
    package struct Rules: Sendable {
        /// The allowed origins without redundant patterns; `[.all]` when every origin is allowed.
        package let origins: [OriginPattern]
        package let allowsAllMethods: Bool
        /// Allowed non-safelisted methods, normalized; a request's method is compared with them byte for byte.
        package let methods: [String]
        package let allowsAllHeaders: Bool
        /// Allowed request-header names, lowercase, sorted; compared without regard to case.
        package let headers: [String]
        /// The fields an allowed actual response gets besides `Access-Control-Allow-Origin`, as `(name, value)`.
        package let actualFields: [(name: String, value: String)]
        /// The fields an allowed preflight gets besides the origin, method and header answers, as `(name, value)`.
        package let preflightFields: [(name: String, value: String)]
        /// A successful preflight's status.
        package let preflightStatus: Int

        /// Whether every origin gets `*` (then no response varies on `Origin`).
        package var allowsAllOrigins: Bool { origins.contains { $0.kind == .all } }

        init(_ compiled: CompiledRules) {
            origins = compiled.origins.allowsAll ? [.all] : compiled.origins.patterns
            allowsAllMethods = compiled.allowsAllMethods
            methods = compiled.methods
            allowsAllHeaders = compiled.allowsAllHeaders
            headers = compiled.headers.map { String(decoding: $0, as: UTF8.self) }
            actualFields = compiled.template.actualFields.map { ($0.name.canonicalName, $0.value) }
            preflightFields = compiled.template.preflightFields.map { ($0.name.canonicalName, $0.value) }
            preflightStatus = Int(compiled.preflightStatus)
        }
    }

    /// The top-level rules.
    package var rootRules: Rules { Rules(root) }

    /// The routes in the order `evaluate` tries them (longest prefix first), each with its prefix (no trailing `/`,
    /// except the root `/`) and its rules, `nil` where the route switches CORS off.
    package var routeRules: [(prefix: String, rules: Rules?)] {
        routes.map { ($0.prefix, $0.rules.map(Rules.init)) }
    }
}
