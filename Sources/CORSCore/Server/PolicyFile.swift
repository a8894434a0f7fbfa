/// A policy file: a CORS policy and, optionally, cross-origin request forgery protection under
/// `"crossOriginProtection"` — what `cors serve` and `cors lint` read.
///
/// The core reads the file's text; reading it from disk is the caller's (the core does no I/O).
///
/// ```swift
/// let file = try PolicyFile(json: String(decoding: bytes, as: UTF8.self))
/// router.add(middleware: CORSPolicyMiddleware(file.policy))
/// if let protection = file.crossOriginProtection {
///     router.add(middleware: CrossOriginProtectionMiddleware(protection))
/// }
/// ```
public struct PolicyFile: Sendable {
    /// The CORS policy: every key of the file but `crossOriginProtection`.
    public let policy: CORSPolicy
    /// The protection the file asks for, if it has a `crossOriginProtection` object.
    public let crossOriginProtection: CrossOriginProtection?

    /// A policy file made in code.
    public init(policy: CORSPolicy, crossOriginProtection: CrossOriginProtection? = nil) {
        self.policy = policy
        self.crossOriginProtection = crossOriginProtection
    }

    /// Reads and validates a policy file; throws every problem — JSON syntax, types, the policy's rules, the
    /// protection's — at once.
    public init(json: some StringProtocol) throws(CORSPolicyError) {
        let document = try JSONDocument(json)
        var (configuration, problems) = CORSPolicy.Configuration.decode(
            document.root, allowedExtraKeys: [PolicyKey.crossOriginProtection])
        var protection: CrossOriginProtection?
        if case .object(let members) = document.root,
            let value = members.last(where: { $0.key == PolicyKey.crossOriginProtection })?.value
        {
            var reader = JSONFieldReader()
            let settings = reader.protection(value, at: PolicyKey.crossOriginProtection)
            problems += reader.diagnostics
            if let settings {
                protection = CrossOriginProtection(
                    settings, pathPrefix: PolicyKey.crossOriginProtection + ".", problems: &problems)
            }
        }
        do {
            policy = try CORSPolicy(configuration)
        } catch {
            throw CORSPolicyError(diagnostics: problems + error.diagnostics)
        }
        guard problems.isEmpty else { throw CORSPolicyError(diagnostics: problems) }
        crossOriginProtection = protection
    }

    /// Every problem in a policy file's text; empty when it is valid.
    public static func diagnostics(json: some StringProtocol) -> [PolicyDiagnostic] {
        do {
            _ = try PolicyFile(json: json)
            return []
        } catch {
            return error.diagnostics
        }
    }
}
