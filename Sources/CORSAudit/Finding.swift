import CORSCore

/// A CORS misconfiguration found by ``Auditor``.
package struct Finding: Sendable, Hashable {
    /// How bad it is: whether a page could read the response with the user's credentials, and what it exposes.
    package enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
        case info, low, medium, high

        var rank: Int { Self.allCases.firstIndex(of: self)! }
        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// The stable finding identifiers.
    package struct ID: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, CaseIterable {
            case reflectsAnyOrigin = "reflects-any-origin"
            case trustsNullOrigin = "trusts-null-origin"
            case prefixMatch = "prefix-match"
            case suffixMatch = "suffix-match"
            case substringMatch = "substring-match"
            case unescapedDot = "unescaped-dot"
            case specialChars = "special-chars"
            case anySubdomain = "any-subdomain"
            case insecureOriginTrusted = "insecure-origin-trusted"
            case wildcardWithCredentials = "wildcard-with-credentials"
            case wildcard = "wildcard"
            case missingVary = "missing-vary"
            case preflightAllowsAnyMethod = "preflight-allows-any-method"
            case preflightAllowsAnyHeader = "preflight-allows-any-header"
            case thirdPartyOrigin = "third-party-origin"
            case portVariant = "port-variant"

            /// More general findings that, when present, already explain this one (a server that reflects every
            /// origin also "matches by prefix").
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The stable identifier, for logs and tools; new values may be added in any release.
        package var code: String { base.rawValue }

        package static let reflectsAnyOrigin = Self(.reflectsAnyOrigin)
        package static let trustsNullOrigin = Self(.trustsNullOrigin)
        package static let prefixMatch = Self(.prefixMatch)
        package static let suffixMatch = Self(.suffixMatch)
        package static let substringMatch = Self(.substringMatch)
        package static let unescapedDot = Self(.unescapedDot)
        package static let specialChars = Self(.specialChars)
        package static let anySubdomain = Self(.anySubdomain)
        package static let insecureOriginTrusted = Self(.insecureOriginTrusted)
        package static let wildcardWithCredentials = Self(.wildcardWithCredentials)
        package static let wildcard = Self(.wildcard)
        package static let missingVary = Self(.missingVary)
        package static let preflightAllowsAnyMethod = Self(.preflightAllowsAnyMethod)
        package static let preflightAllowsAnyHeader = Self(.preflightAllowsAnyHeader)
        package static let thirdPartyOrigin = Self(.thirdPartyOrigin)
        package static let portVariant = Self(.portVariant)

        /// Every value, in the catalogue's order.
        package static let allCases: [Self] = Base.allCases.map(Self.init)
        var explainedBy: [ID] {
            switch base {
            case .prefixMatch, .suffixMatch: return [.reflectsAnyOrigin, .substringMatch]
            case .substringMatch, .thirdPartyOrigin: return [.reflectsAnyOrigin]
            case .unescapedDot, .anySubdomain: return [.reflectsAnyOrigin, .substringMatch, .suffixMatch]
            case .specialChars, .portVariant: return [.reflectsAnyOrigin, .substringMatch, .prefixMatch]
            case .insecureOriginTrusted: return [.reflectsAnyOrigin, .substringMatch, .prefixMatch, .suffixMatch]
            default: return []
            }
        }

        /// What it means, in one line.
        package var summary: String {
            switch base {
            case .reflectsAnyOrigin: return "Any origin is allowed to read responses: the server reflects Origin."
            case .trustsNullOrigin:
                return "`Origin: null` is allowed; sandboxed iframes and data: URLs of any site can send it."
            case .prefixMatch: return "An origin that merely starts with a trusted one is allowed."
            case .suffixMatch: return "An origin that merely ends with a trusted domain is allowed."
            case .substringMatch: return "An origin that merely contains a trusted domain is allowed."
            case .unescapedDot: return "A `.` in a trusted origin matches any character (an unescaped regex dot)."
            case .specialChars: return "A trusted origin followed by an unusual character is allowed (a parser trick)."
            case .anySubdomain: return "Every subdomain is trusted, so one taken-over or XSS-prone subdomain is enough."
            case .insecureOriginTrusted:
                return "An http: origin is trusted by an https: site; a network attacker can inject script there."
            case .wildcardWithCredentials:
                return
                    "`*` is sent with Access-Control-Allow-Credentials: true; browsers refuse it, so this is a broken or "
                    + "half-fixed configuration."
            case .wildcard: return "`*` lets every origin read responses without credentials (fine for public data)."
            case .missingVary:
                return "Access-Control-Allow-Origin depends on Origin but the response lacks `Vary: Origin`; caches "
                    + "can serve one origin's response to another."
            case .preflightAllowsAnyMethod: return "Preflights approve a method the site cannot need (any method)."
            case .preflightAllowsAnyHeader: return "Preflights approve a header the site cannot need (any header)."
            case .thirdPartyOrigin:
                return "An origin on a third-party hosting service (anyone can publish there) is trusted."
            case .portVariant: return "The trusted host on another port is trusted too."
            }
        }

        /// What to change.
        package var fix: String {
            switch base {
            case .reflectsAnyOrigin, .prefixMatch, .suffixMatch, .substringMatch, .unescapedDot, .specialChars:
                return "Compare the whole Origin with an exact allow-list (or `https://*.example.com` label patterns); "
                    + "never reflect, prefix-, suffix- or regex-match it."
            case .trustsNullOrigin: return "Never allow `null`."
            case .anySubdomain: return "List the subdomains that need access instead of trusting all of them."
            case .insecureOriginTrusted: return "Trust only the https: origin."
            case .wildcardWithCredentials:
                return
                    "Send the allowed origin (with `Vary: Origin`) instead of `*` for credentialed requests, or drop "
                    + "Access-Control-Allow-Credentials."
            case .wildcard: return "Keep `*` for public, credential-free data only."
            case .missingVary: return "Add `Vary: Origin` to every response whose CORS fields depend on Origin."
            case .preflightAllowsAnyMethod: return "Approve only the methods the site uses."
            case .preflightAllowsAnyHeader: return "Approve only the request headers the site uses."
            case .thirdPartyOrigin: return "Remove origins on shared hosting domains (github.io, netlify.app, …)."
            case .portVariant: return "Trust the exact origin, port included."
            }
        }

        package var description: String { code }
    }

    package let id: ID
    package let severity: Severity
    /// The origin the probe came from.
    package let origin: String
    /// Whether a page on that origin could read the response with the user's credentials.
    package let credentialsAllowed: Bool
    /// The request and response lines that show it.
    package let evidence: [String]
}
