/// One problem found in a policy: a stable code, where it is, the offending value, what is wrong and how to fix it.
public struct PolicyDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// Stable identifiers for every problem the validator reports. Tools may match on the raw values.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, CaseIterable {
            // Origins
            case noOrigins = "no-origins"
            case nullOrigin = "null-origin"
            case fileOrigin = "file-origin"
            case invalidOrigin = "invalid-origin"
            case missingScheme = "missing-scheme"
            case originTrailingSlash = "origin-trailing-slash"
            case originTrailingDot = "origin-trailing-dot"
            case originHasPath = "origin-has-path"
            case originHasUserinfo = "origin-has-userinfo"
            case originDefaultPort = "origin-default-port"
            case invalidPort = "invalid-port"
            case originNotLowercase = "origin-not-lowercase"
            case originNotASCII = "origin-not-ascii"
            case ipNotCanonical = "ip-not-canonical"
            case invalidWildcard = "invalid-wildcard"
            case wildcardOriginWithCredentials = "wildcard-origin-with-credentials"
            case insecureOriginWithCredentials = "insecure-origin-with-credentials"
            case publicSuffixWildcardWithCredentials = "public-suffix-wildcard-with-credentials"
            // Methods and headers
            case invalidMethod = "invalid-method"
            case forbiddenMethod = "forbidden-method"
            case invalidHeaderName = "invalid-header-name"
            case forbiddenRequestHeader = "forbidden-request-header"
            case prohibitedRequestHeader = "prohibited-request-header"
            case forbiddenExposeHeader = "forbidden-expose-header"
            case prohibitedExposeHeader = "prohibited-expose-header"
            case exposeWildcardWithCredentials = "expose-wildcard-with-credentials"
            // Numbers and routes
            case maxAgeOutOfRange = "max-age-out-of-range"
            case invalidPreflightStatus = "invalid-preflight-status"
            case invalidRoutePrefix = "invalid-route-prefix"
            case duplicateRoutePrefix = "duplicate-route-prefix"
            case corsOffWithRules = "cors-off-with-rules"
            // Cross-origin protection
            case wildcardTrustedOrigin = "wildcard-trusted-origin"
            case invalidExemptPath = "invalid-exempt-path"
            case invalidPublicOrigin = "invalid-public-origin"
            // The policy file
            case invalidJSON = "invalid-json"
            case unknownKey = "unknown-key"
            case wrongType = "wrong-type"
            case missingKey = "missing-key"
            case duplicateKey = "duplicate-key"
            case unreadableFile = "unreadable-file"

        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The stable identifier, for logs and tools; new values may be added in any release.
        public var code: String { base.rawValue }

        public static let noOrigins = Self(.noOrigins)
        public static let nullOrigin = Self(.nullOrigin)
        public static let fileOrigin = Self(.fileOrigin)
        public static let invalidOrigin = Self(.invalidOrigin)
        public static let missingScheme = Self(.missingScheme)
        public static let originTrailingSlash = Self(.originTrailingSlash)
        public static let originTrailingDot = Self(.originTrailingDot)
        public static let originHasPath = Self(.originHasPath)
        public static let originHasUserinfo = Self(.originHasUserinfo)
        public static let originDefaultPort = Self(.originDefaultPort)
        public static let invalidPort = Self(.invalidPort)
        public static let originNotLowercase = Self(.originNotLowercase)
        public static let originNotASCII = Self(.originNotASCII)
        public static let ipNotCanonical = Self(.ipNotCanonical)
        public static let invalidWildcard = Self(.invalidWildcard)
        public static let wildcardOriginWithCredentials = Self(.wildcardOriginWithCredentials)
        public static let insecureOriginWithCredentials = Self(.insecureOriginWithCredentials)
        public static let publicSuffixWildcardWithCredentials = Self(.publicSuffixWildcardWithCredentials)
        public static let invalidMethod = Self(.invalidMethod)
        public static let forbiddenMethod = Self(.forbiddenMethod)
        public static let invalidHeaderName = Self(.invalidHeaderName)
        public static let forbiddenRequestHeader = Self(.forbiddenRequestHeader)
        public static let prohibitedRequestHeader = Self(.prohibitedRequestHeader)
        public static let forbiddenExposeHeader = Self(.forbiddenExposeHeader)
        public static let prohibitedExposeHeader = Self(.prohibitedExposeHeader)
        public static let exposeWildcardWithCredentials = Self(.exposeWildcardWithCredentials)
        public static let maxAgeOutOfRange = Self(.maxAgeOutOfRange)
        public static let invalidPreflightStatus = Self(.invalidPreflightStatus)
        public static let invalidRoutePrefix = Self(.invalidRoutePrefix)
        public static let duplicateRoutePrefix = Self(.duplicateRoutePrefix)
        public static let corsOffWithRules = Self(.corsOffWithRules)
        public static let wildcardTrustedOrigin = Self(.wildcardTrustedOrigin)
        public static let invalidExemptPath = Self(.invalidExemptPath)
        public static let invalidPublicOrigin = Self(.invalidPublicOrigin)
        public static let invalidJSON = Self(.invalidJSON)
        public static let unknownKey = Self(.unknownKey)
        public static let wrongType = Self(.wrongType)
        public static let missingKey = Self(.missingKey)
        public static let duplicateKey = Self(.duplicateKey)
        public static let unreadableFile = Self(.unreadableFile)

        /// Every value, in the catalogue's order.
        public static let allCases: [Self] = Base.allCases.map(Self.init)

        public var description: String { code }
    }

    /// What kind of problem this is.
    public let code: Code
    /// Where it is, as a JSON path into the policy file (`allowOrigins[2]`, `routes[0].maxAge`).
    public var path: String
    /// The offending value as written, when there is one.
    public let value: String?
    /// What is wrong, in one sentence.
    public let message: String
    /// What to change, when the validator can tell.
    public let fix: String?

    package init(code: Code, path: String = "", value: String?, message: String, fix: String? = nil) {
        self.code = code
        self.path = path
        self.value = value
        self.message = message
        self.fix = fix
    }

    public var description: String {
        var text = path.isEmpty ? "" : path + ": "
        if let value { text += "`\(value)`: " }
        text += message
        if let fix { text += " Fix: \(fix)." }
        return text + " [\(code.code)]"
    }

    func at(_ path: String) -> PolicyDiagnostic {
        var copy = self
        copy.path = path
        return copy
    }
}

/// The error a policy throws when it is not valid: every problem at once.
public struct CORSPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found, in the order of the policy's fields.
    public let diagnostics: [PolicyDiagnostic]

    package init(diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        let count = diagnostics.count
        return "the CORS policy has \(count) problem\(count == 1 ? "" : "s"):\n"
            + diagnostics.map { "  - \($0)" }.joined(separator: "\n")
    }
}
