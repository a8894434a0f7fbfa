/// A validated CORS policy: which origins may read responses, with which methods, request headers, exposed headers
/// and credentials, and for how long a preflight may be cached, optionally per path prefix.
///
/// Construction checks everything once and throws a ``CORSPolicyError`` that lists every problem. A policy that
/// exists is therefore safe to serve: no `null` or `file:` origin, no `*` with credentials, no glob that can match a
/// `.`, no forbidden method or header, no non-canonical origin that a browser would never send.
///
/// ```swift
/// let policy = try CORSPolicy(.init(
///     allowOrigins: ["https://app.example.com", "https://*.example.com"],
///     allowMethods: ["PUT", "DELETE"],
///     allowHeaders: ["authorization", "content-type"],
///     allowCredentials: true,
///     maxAge: 600))
/// let decision = policy.evaluate(request)
/// ```
public struct CORSPolicy: Sendable {
    /// The configuration the policy was built from, as given.
    public var configuration: Configuration { compiled.configuration }
    var root: CompiledRules { compiled.root }
    /// Route prefixes (without a trailing `/`), longest first, so the first match is the most specific; no rules
    /// where the route switches CORS off.
    var routes: [(prefix: String, rules: CompiledRules?)] { compiled.routes }
    /// All of it behind one reference: a middleware copies the policy out of its ``CORSPolicyState`` on every request,
    /// and copying the seven references inside (the configuration's five lists, the rules, the routes) cost seven
    /// retains and releases.
    private let compiled: Compiled

    private final class Compiled: Sendable {
        let configuration: Configuration
        let root: CompiledRules
        let routes: [(prefix: String, rules: CompiledRules?)]

        init(configuration: Configuration, root: CompiledRules, routes: [(prefix: String, rules: CompiledRules?)]) {
            self.configuration = configuration
            self.root = root
            self.routes = routes
        }
    }

    /// Validates `configuration`; throws every problem at once.
    public init(_ configuration: Configuration) throws(CORSPolicyError) {
        var diagnostics: [PolicyDiagnostic] = []
        let root = CompiledRules.compile(
            configuration, paths: .init(prefix: "", ownFields: nil), diagnostics: &diagnostics)
        var routes: [(prefix: String, rules: CompiledRules?)] = []
        var seenPrefixes: [String: Int] = [:]
        for (index, route) in configuration.routes.enumerated() {
            let path = "routes[\(index)]."
            if let prefix = RequestPath.normalizedPrefix(route.pathPrefix) {
                if let first = seenPrefixes[prefix] {
                    diagnostics.append(
                        PolicyDiagnostic(
                            code: .duplicateRoutePrefix, path: path + "pathPrefix", value: route.pathPrefix,
                            message: "routes[\(first)] already has this prefix, so this route would never apply.",
                            fix: "merge the two routes"))
                } else {
                    seenPrefixes[prefix] = index
                }
                if route.cors == false {
                    diagnostics += route.ownFields.sorted { $0.rawValue < $1.rawValue }.map { key in
                        PolicyDiagnostic(
                            code: .corsOffWithRules, path: path + key.rawValue, value: nil,
                            message: "CORS is off for this route (`\"cors\": false`), so this field would never apply.",
                            fix: "remove it, or remove `\"cors\": false`")
                    }
                    routes.append((prefix, nil))
                    continue
                }
                let rules = CompiledRules.compile(
                    route.merged(over: configuration), paths: .init(prefix: path, ownFields: route.ownFields),
                    diagnostics: &diagnostics)
                routes.append((prefix, rules))
            } else {
                diagnostics.append(
                    PolicyDiagnostic(
                        code: .invalidRoutePrefix, path: path + "pathPrefix", value: route.pathPrefix,
                        message: "a path prefix is a canonical path: it starts with `/`, has no query, no dot "
                            + "segments, no `//`, no `%2F` or `%5C`, and no needless percent-encoding.",
                        fix: RequestPath.suggestedPrefix(for: route.pathPrefix).map { "write `\($0)`" }))
            }
        }
        guard diagnostics.isEmpty else { throw CORSPolicyError(diagnostics: diagnostics) }
        compiled = Compiled(
            configuration: configuration, root: root,
            routes: routes.sorted { $0.prefix.utf8.count > $1.prefix.utf8.count })
    }

    /// Builds and validates a policy from its fields; see ``Configuration``.
    public init(
        allowOrigins: [String],
        allowMethods: [String] = [],
        allowHeaders: [String] = [],
        exposeHeaders: [String] = [],
        allowCredentials: Bool = false,
        maxAge: Int? = nil,
        preflightSuccessStatus: Int = 204,
        routes: [Route] = []
    ) throws(CORSPolicyError) {
        try self.init(
            Configuration(
                allowOrigins: allowOrigins, allowMethods: allowMethods, allowHeaders: allowHeaders,
                exposeHeaders: exposeHeaders, allowCredentials: allowCredentials, maxAge: maxAge,
                preflightSuccessStatus: preflightSuccessStatus, routes: routes))
    }

    /// The allowed origins of the rules that govern `path`, without redundant patterns; none when the path has no
    /// single meaning (see ``PathAmbiguity``).
    public func allowedOrigins(forPath path: String = "/") -> [OriginPattern] {
        ((try? rules(forPath: path[...]).get()) ?? nil)?.origins.patterns ?? []
    }

    /// The rules of the longest route prefix that matches the canonical `path` (`nil` when that route switches CORS
    /// off), or the top-level rules; a failure when the routes make the path's meaning matter and it has none.
    ///
    /// A path with `;` parameters is judged both as written and without them (the reading of servers that strip
    /// them); if the two readings fall under different routes, the path is refused.
    func rules(forPath target: Substring) -> Result<CompiledRules?, PathAmbiguity> {
        guard !routes.isEmpty else { return .success(root) }
        return RequestPath.judge(target) { path in routes.firstIndex { RequestPath.matches(path, prefix: $0.prefix) } }
            .map { index in index.map { routes[$0].rules } ?? root }
    }
}
