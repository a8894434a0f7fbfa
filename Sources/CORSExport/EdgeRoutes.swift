import CORSCore

/// Which rules a request falls under, decided on the raw request target (`$request_uri` in nginx,
/// `{http.request.orig_uri}` in Caddy) exactly as `CORSPolicy.evaluate` decides it on the canonical path.
///
/// Edge servers decode the path before their own matching (nginx's `location` and `$uri`, Caddy's `path`), so
/// `/public%2Fx`, `/a/..%2F` or `/public;x/` could land under rules `evaluate` would not apply. The tests below read
/// the target as sent: first whether it has one meaning at all (`RequestPath`: no `%2F`, `%5C`, `\`, `%00`, bad
/// `%`, dot segment, control character, space, `#` or byte outside ASCII), then which prefix its canonical form
/// starts with, as written and with its `;` parameters removed — when the two readings pick different routes, the
/// path is refused, as `evaluate` refuses it.
struct EdgeRoutes {
    /// One route, in the order `evaluate` tries them (longest prefix first).
    struct Route {
        /// The rule-set identifier: `r1`, `r2`…
        var id: String
        var prefix: String
        /// `nil` where the route switches CORS off.
        var rules: CORSPolicy.Rules?
        /// Matches the start of a target whose canonical path falls under the prefix as written.
        var asWritten: String
        /// The same for the path with its `;` parameters removed; `nil` when that path can never match (the
        /// prefix itself has a `;`).
        var withoutParameters: String?
    }

    var routes: [Route]

    /// Matches the start of a target that has no single meaning (`RequestPath`'s refusals).
    static let ambiguousTarget =
        "(?:[^/]|[^?]*(?:\\x5c|%2[fF]|%5[cC]|%00|%(?:[^0-9a-fA-F]|[0-9a-fA-F][^0-9a-fA-F]|[0-9a-fA-F]?$)|"
        + "[^\\x21-\\x7e]|#|/(?:\\.|%2[eE]){1,2}(?:;[^/?]*)?(?:[/?]|$)))"

    init(_ policy: CORSPolicy) {
        routes = policy.routeRules.enumerated().map { index, route in
            Route(
                id: "r\(index + 1)", prefix: route.prefix, rules: route.rules,
                asWritten: Self.prefixExpression(route.prefix, parameters: false),
                withoutParameters: route.prefix.contains(";")
                    ? nil : Self.prefixExpression(route.prefix, parameters: true))
        }
    }

    /// The expression matching the start of a target whose canonical path starts with `prefix` on a segment
    /// boundary: `/` repeated (the canonical path collapses `//`), an unreserved character as itself or
    /// percent-encoded in either case (the canonical path decodes it), any other `%XX` in either case, and then
    /// `/`, the query or the end. With `parameters`, each segment may be followed by `;…`, which the reading
    /// without parameters drops.
    static func prefixExpression(_ prefix: String, parameters: Bool) -> String {
        guard prefix != "/" else { return "/" }
        var expression = ""
        var bytes = Array(prefix.utf8)[...]
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "/"):
                expression += "/+"
            case UInt8(ascii: "%"):
                let hex = bytes.prefix(2).map { hexDigit($0) }
                bytes = bytes.dropFirst(2)
                expression += "%" + hex.joined()
            default:
                let character = String(UnicodeScalar(byte))
                if isUnreserved(byte) {
                    let code = String(byte, radix: 16, uppercase: true)
                    expression +=
                        "(?:" + EdgeRegex.escape(character) + "|%" + hexDigit(code.utf8.first!)
                        + hexDigit(code.utf8.last!) + ")"
                } else {
                    expression += EdgeRegex.escape(character)
                }
            }
            if parameters, bytes.first == UInt8(ascii: "/") || bytes.isEmpty {
                expression += "(?:;[^/?]*)?"
            }
        }
        return expression + "(?:[/?]|$)"
    }

    /// A hexadecimal digit in either case.
    private static func hexDigit(_ byte: UInt8) -> String {
        let character = String(UnicodeScalar(byte))
        guard "abcdefABCDEF".utf8.contains(byte) else { return character }
        return "[" + character.uppercased() + character.lowercased() + "]"
    }

    /// RFC 3986 §2.3 `unreserved`.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "-._~".utf8.contains(byte)
    }
}
