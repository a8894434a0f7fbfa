/// One problem found in a policy: a stable code, where it is, the offending value, what is wrong and how to fix it.
public struct PolicyDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// Stable identifiers for every problem the validator reports. Tools may match on the raw values.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        // Origins
        case noOrigins = "no-origins"
        case nullOrigin = "null-origin"
        case fileOrigin = "file-origin"
        case invalidOrigin = "invalid-origin"
        case missingScheme = "missing-scheme"
        case originTrailingSlash = "origin-trailing-slash"
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

    public init(code: Code, path: String = "", value: String?, message: String, fix: String? = nil) {
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
        return text + " [\(code.rawValue)]"
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

    public init(diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        let count = diagnostics.count
        return "the CORS policy has \(count) problem\(count == 1 ? "" : "s"):\n"
            + diagnostics.map { "  - \($0)" }.joined(separator: "\n")
    }
}
