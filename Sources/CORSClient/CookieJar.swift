import CORSCore
import Synchronization

/// A minimal cookie store: `name=value` pairs per host, set by `Set-Cookie` or by hand, sent back to the same host.
///
/// It keeps what a CORS check needs (whether credentials go out, and what comes back) and ignores cookie attributes
/// (path, expiry, SameSite).
public final class CookieJar: Sendable {
    private let cookies = Mutex<[String: [(name: String, value: String)]]>([:])

    public init() {}

    /// Stores `name=value` for `host` (a host name or address, as in the URL).
    public func set(_ pair: String, forHost host: String) {
        guard let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals].trimmingTabsAndSpaces)
        let value = String(pair[pair.index(after: equals)...].trimmingTabsAndSpaces)
        guard !name.isEmpty else { return }
        cookies.withLock { jar in
            var list = jar[host, default: []]
            list.removeAll { $0.name == name }
            list.append((name, value))
            jar[host] = list
        }
    }

    /// The `Cookie` header for `url`, or `nil` when there is none.
    public func header(for url: String) -> String? {
        guard let host = Self.host(of: url) else { return nil }
        let list = cookies.withLock { $0[host] ?? [] }
        return list.isEmpty ? nil : list.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    func store(setCookie value: String, for url: String) {
        guard let host = Self.host(of: url) else { return }
        set(String(value.prefix { $0 != ";" }), forHost: host)
    }

    static func host(of url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.hasPrefix("[") { return authority.firstIndex(of: "]").map { String(authority[...$0]) } }
        return String(authority.prefix { $0 != ":" })
    }
}
