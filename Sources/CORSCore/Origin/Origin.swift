/// An origin: the scheme, host and port a page's script runs as, or an opaque origin that equals only itself.
///
/// Tuple origins are stored in their ASCII serialization, so two origins are the same origin exactly when their
/// serializations are equal: default ports are elided, scheme and host are lowercase, IPv4 is a dotted quad, IPv6 is
/// RFC 5952 text in brackets and non-ASCII labels are Punycode.
///
/// https://html.spec.whatwg.org/multipage/browsers.html#origin
public struct Origin: Sendable, Hashable, CustomStringConvertible {
    enum Storage: Sendable, Hashable {
        case tuple(scheme: String, host: Host, port: Int?, serialization: String)
        case opaque(OpaqueIdentity)
    }

    /// The identity of one opaque origin: equal only to itself.
    final class OpaqueIdentity: Sendable, Hashable {
        static func == (lhs: OpaqueIdentity, rhs: OpaqueIdentity) -> Bool { lhs === rhs }
        func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    }

    let storage: Storage

    /// A tuple origin. A `port` equal to the scheme's default port is elided, as the URL parser does.
    public init(scheme: String, host: Host, port: Int? = nil) {
        let scheme = ASCII.lowercased(scheme)
        let port = port == Self.defaultPort(forScheme: scheme) ? nil : port
        var serialization = scheme + "://" + host.serialization
        if let port { serialization += ":" + String(port) }
        storage = .tuple(scheme: scheme, host: host, port: port, serialization: serialization)
    }

    private init(opaque identity: OpaqueIdentity) {
        storage = .opaque(identity)
    }

    /// A new opaque origin, such as a sandboxed iframe or a `data:` URL has. It is same origin only with itself.
    public static func opaque() -> Origin {
        Origin(opaque: OpaqueIdentity())
    }

    /// Whether this is an opaque origin.
    public var isOpaque: Bool {
        if case .opaque = storage { return true }
        return false
    }

    /// The scheme of a tuple origin, lowercase; `nil` for an opaque origin.
    public var scheme: String? {
        if case .tuple(let scheme, _, _, _) = storage { return scheme }
        return nil
    }

    /// The host of a tuple origin; `nil` for an opaque origin.
    public var host: Host? {
        if case .tuple(_, let host, _, _) = storage { return host }
        return nil
    }

    /// The port of a tuple origin, `nil` when it is the scheme's default (or the origin is opaque).
    public var port: Int? {
        if case .tuple(_, _, let port, _) = storage { return port }
        return nil
    }

    /// The port a connection uses: the explicit port or the scheme's default.
    public var effectivePort: Int? {
        port ?? scheme.flatMap(Self.defaultPort(forScheme:))
    }

    /// The ASCII serialization: `scheme://host[:port]`, or `null` for an opaque origin.
    ///
    /// https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin
    public var serialization: String {
        switch storage {
        case .tuple(_, _, _, let serialization): return serialization
        case .opaque: return "null"
        }
    }

    public var description: String { serialization }

    /// Same origin: the same opaque origin, or tuple origins with identical scheme, host and port.
    ///
    /// https://html.spec.whatwg.org/multipage/browsers.html#same-origin
    public func isSameOrigin(_ other: Origin) -> Bool {
        self == other
    }

    /// Whether a browser treats the origin as potentially trustworthy: `https`, `wss`, a loopback host, or a
    /// browser extension's scheme (which Chromium, Firefox and Safari register as secure).
    ///
    /// https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy
    public var isPotentiallyTrustworthy: Bool {
        guard case .tuple(let scheme, let host, _, _) = storage else { return false }
        return Self.isPotentiallyTrustworthy(scheme: scheme, host: host)
    }

    /// The schemes browsers give their extensions' pages, which they treat as secure.
    static let extensionSchemes: Set<String> = ["chrome-extension", "moz-extension", "safari-web-extension"]

    /// "Is origin potentially trustworthy?" for a tuple origin's scheme and host: `https`, `wss`, an extension
    /// scheme, or a loopback host (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy, steps 3–6;
    /// the user agent's own secure schemes are its extension schemes).
    static func isPotentiallyTrustworthy(scheme: String, host: Host) -> Bool {
        scheme == "https" || scheme == "wss" || extensionSchemes.contains(scheme) || host.isLoopback
    }

    /// The default port of a special scheme, or `nil`.
    ///
    /// https://url.spec.whatwg.org/#default-port
    public static func defaultPort(forScheme scheme: some StringProtocol) -> Int? {
        defaultPort(forSchemeBytes: scheme.utf8)
    }

    /// The same, for a scheme's bytes: they are read as one big-endian number, so that no string is compared.
    static func defaultPort(forSchemeBytes scheme: some Collection<UInt8>) -> Int? {
        guard scheme.count <= 5 else { return nil }
        var packed: UInt64 = 0
        for byte in scheme { packed = packed << 8 | UInt64(byte) }
        switch packed {
        case 0x7773: return 80  // ws
        case 0x77_7373: return 443  // wss
        case 0x66_7470: return 21  // ftp
        case 0x6874_7470: return 80  // http
        case 0x68_7474_7073: return 443  // https
        default: return nil
        }
    }
}
