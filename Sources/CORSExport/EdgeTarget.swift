package import CORSCore

/// The edge servers a policy can be exported for.
package enum EdgeTarget: String, CaseIterable, Sendable {
    case nginx, caddy

    /// A fragment to paste into an existing configuration.
    package func fragment(_ policy: CORSPolicy, source: String) -> String {
        switch self {
        case .nginx: NginxConfiguration(policy: policy, source: source).fragment
        case .caddy: CaddyConfiguration(policy: policy, source: source).fragment
        }
    }

    /// A whole configuration: listening on `listen`, forwarding to `upstream`.
    package func server(_ policy: CORSPolicy, source: String, listen: String, upstream: String) -> String {
        switch self {
        case .nginx: NginxConfiguration(policy: policy, source: source).server(listen: listen, upstream: upstream)
        case .caddy: CaddyConfiguration(policy: policy, source: source).server(listen: listen, upstream: upstream)
        }
    }
}
