public import HTTPTypes

/// Origins allowed at request time rather than listed in the policy: the custom domains of a multi-tenant
/// service's customers, kept in a database.
///
/// A middleware asks a source only about an origin the policy's own rules refused as not listed
/// (``CORSDecision/unlistedOrigin``): a parsed browser serialization, never `null`, never the raw header. An origin
/// it allows is then held to the rules every listed origin passes (``CORSPolicy/evaluate(_:allowing:)``), so a
/// source cannot make a plain-http origin read credentialed responses. Wrap a source that does I/O in a
/// ``CachedOriginSource``, which bounds how often it is asked.
///
/// ```swift
/// struct CustomerDomains: OriginSource {
///     let database: Database
///     func allows(_ origin: Origin) async throws -> Bool {
///         try await database.customerExists(withOrigin: origin.serialization)
///     }
/// }
/// let source = CachedOriginSource(CustomerDomains(database: db), capacity: 10_000, timeToLive: .seconds(60))
/// router.add(middleware: CORSPolicyMiddleware(policy, originSource: source))
/// ```
public protocol OriginSource: Sendable {
    /// Whether `origin` may read responses. Throwing refuses it (a source fails closed).
    func allows(_ origin: Origin) async throws -> Bool
}

extension CORSPolicy {
    /// The decision for `request`, asking `source` about an origin the rules do not list, and failing closed: a
    /// source that throws, or that allows an origin the rules refuse to trust, leaves the request refused.
    ///
    /// Returns the decision and, when the source failed, the line to log (responses never show it).
    public func evaluate(_ request: HTTPRequest, asking source: some OriginSource) async -> (
        decision: CORSDecision, sourceFailure: String?
    ) {
        let decision = evaluate(request)
        guard let origin = decision.unlistedOrigin else { return (decision, nil) }
        // The rules' own checks first, so that an origin they would refuse never costs a lookup.
        let candidate = evaluate(request, allowing: origin)
        guard candidate.isAllowed else { return (candidate, nil) }
        do {
            return (try await source.allows(origin) ? candidate : decision, nil)
        } catch {
            return (decision, CORSDecision.sourceFailureMessage(error, for: request))
        }
    }
}
