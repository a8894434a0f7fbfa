import Synchronization

/// A policy that can be replaced while requests are being served: every request sees one whole policy, the old or
/// the new, never a mix, and an invalid replacement leaves the old one serving.
public final class CORSPolicyState: Sendable {
    private let current: Mutex<CORSPolicy>

    public init(_ policy: CORSPolicy) {
        current = Mutex(policy)
    }

    /// The policy in force.
    public var policy: CORSPolicy {
        current.withLock { $0 }
    }

    /// Puts `policy` in force.
    public func reconfigure(_ policy: CORSPolicy) {
        current.withLock { $0 = policy }
    }

    /// Validates `configuration` and puts it in force; when it is invalid, throws every problem and keeps the
    /// policy in force as it was.
    public func reconfigure(_ configuration: CORSPolicy.Configuration) throws(CORSPolicyError) {
        reconfigure(try CORSPolicy(configuration))
    }
}
