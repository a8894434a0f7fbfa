import CORSCore

/// The tests on a request's raw field values that decide what one set of a policy's rules decides, written once for
/// every edge target. Each follows the rule of `CORSPolicy.evaluate` it replaces, and the differential tests compare
/// them with it on real servers.
extension CORSPolicy.Rules {
    /// One test per allowed origin pattern; an `Origin` value passes when it passes one of them. Not used when every
    /// origin is allowed (`*` answers every value, even a malformed one).
    ///
    /// A browser sends its origin's serialization (https://fetch.spec.whatwg.org/#origin-header) and `evaluate`
    /// accepts nothing else: an exact origin is compared byte for byte; a pattern's `*.` is one or more whole labels
    /// of lowercase host bytes, never empty, never a `.` (https://url.spec.whatwg.org/#host-serializing); its `:*`
    /// is a port in canonical decimal other than the scheme's default, which a serialization never writes.
    var originTests: [ValueTest] {
        origins.compactMap { pattern -> ValueTest? in
            switch pattern.kind {
            case .all:
                return nil
            case .host(_, _, .exact):
                return ValueTest(pattern: EdgeRegex.escape(pattern.serialization))
            case .host(let scheme, let host, .any):
                return ValueTest(
                    pattern: EdgeRegex.escape(scheme + "://" + host.serialization) + Self.anyPort(scheme: scheme))
            case .subdomains(let scheme, let domain, let port):
                let portPart =
                    switch port {
                    case .any: Self.anyPort(scheme: scheme)
                    case .exact(let number):
                        number.map { $0 == Origin.defaultPort(forScheme: scheme) ? "" : EdgeRegex.escape(":\($0)") }
                            ?? ""
                    }
                return ValueTest(
                    pattern: EdgeRegex.escape(scheme + "://") + "(?:" + Self.labelCharacter + "+\\.)+"
                        + EdgeRegex.escape(domain) + portPart,
                    maximumLength: Self.maximumOriginLength,
                    // A host has at most 253 bytes.
                    excluding: [EdgeRegex.escape(scheme + "://") + "[^:]{254}"])
            }
        }
    }

    /// The longest `Origin` value `evaluate` parses: a 64-byte scheme, `://`, a 253-byte host and `:65535`.
    static let maximumOriginLength = 326

    /// A byte of a domain label as a browser serializes it: lowercase letters, digits and `-_~!$&'()*+;=`.
    static let labelCharacter = "[a-z0-9_~!$&'()*+;=-]"

    /// `(:port)?` for every port but the scheme's default.
    static func anyPort(scheme: String) -> String {
        let ports =
            switch Origin.defaultPort(forScheme: scheme) {
            case let port?:
                [(1, port - 1), (port + 1, 65535)].filter { $0.0 <= $0.1 }.map { EdgeRegex.decimalRange($0.0, $0.1) }
            case nil:
                [EdgeRegex.decimalRange(1, 65535)]
            }
        return "(?::(?:" + ports.joined(separator: "|") + "))?"
    }

    /// The test an `Access-Control-Request-Method` value passes when its method is allowed and not safelisted (the
    /// answer then echoes it); `nil` when no such method is allowed. A method is a token; a forbidden one never
    /// passes (https://fetch.spec.whatwg.org/#forbidden-method); a listed one is compared byte for byte, as
    /// `evaluate` compares normalized methods.
    var methodTest: ValueTest? {
        if allowsAllMethods {
            return ValueTest(
                pattern: EdgeRegex.tokenCharacter + "+", excluding: ["(?i:CONNECT|TRACE|TRACK)$"])
        }
        guard !methods.isEmpty else { return nil }
        return ValueTest(pattern: methods.map(EdgeRegex.escape).joined(separator: "|"))
    }

    /// The methods every preflight may ask for (https://fetch.spec.whatwg.org/#cors-safelisted-method), compared
    /// byte for byte; the answer names none of them.
    static let safelistedMethods = ValueTest(pattern: "GET|HEAD|POST")

    /// The test an `Access-Control-Request-Headers` value (all its lines joined by `,`) passes when every name in it
    /// is allowed: a list of at most 128 elements, empty ones allowed, white space around each ignored, each a
    /// listed name in any case or, under `*`, any token but `authorization`
    /// (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name) — within 4 KiB, as
    /// `HeaderList.Limits.default` bounds the list. An empty value passes.
    var headerListTest: ValueTest {
        let limits = HeaderList.Limits.default
        let space = EdgeRegex.whiteSpace
        let name: String? =
            allowsAllHeaders
            ? EdgeRegex.tokenCharacter + "+" : (headers.isEmpty ? nil : EdgeRegex.caseInsensitive(headers))
        let element = name.map { space + "(?:" + $0 + space + ")?" } ?? space
        let excludesAuthorization = allowsAllHeaders && !headers.contains("authorization")
        return ValueTest(
            pattern: element + "(?:," + element + "){0,\(limits.maximumElements - 1)}",
            maximumLength: limits.maximumBytes,
            excluding: excludesAuthorization ? ["(?:.*,)?" + space + "(?i:authorization)" + space + "(?:,|$)"] : [])
    }

    /// `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers` of an allowed actual response.
    var actualField: (credentials: String?, exposeHeaders: String?) {
        (
            value("access-control-allow-credentials", in: actualFields),
            value("access-control-expose-headers", in: actualFields)
        )
    }

    /// `Access-Control-Max-Age` of an allowed preflight.
    var maxAge: String? { value("access-control-max-age", in: preflightFields) }

    private func value(_ name: String, in fields: [(name: String, value: String)]) -> String? {
        fields.first { $0.name == name }?.value
    }
}
