import CORSCore

/// The names the gateway's metrics and access log give a decision, spelled once.
extension CORSDecision.Kind {
    var name: String {
        switch self {
        case .notCORS: "not-cors"
        case .preflight: "preflight"
        case .actual: "actual"
        }
    }
}

extension CORSDecision {
    /// `allowed` or `refused`.
    var verdictName: String { isAllowed ? "allowed" : "refused" }
}
