import CORSCore
import HTTPTypes
package import Logging

/// One log line per request `cors serve` answers, with what an operator filters on: method, path, origin (escaped
/// against log injection), the CORS decision and its reason code, the protection's refusal, the status and the time
/// taken. Written at `info` through swift-log, so `--log-format json` makes each line a JSON object.
package struct AccessLog: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    func record(
        _ request: HTTPRequest, cors: CORSDecision?, protection: ProtectionDecision?, status: Int, duration: Duration
    ) {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(CORSDecision.sanitized(request.method.rawValue)),
            "path": .string(CORSDecision.sanitized(request.path ?? "")), "status": .stringConvertible(status),
            "duration_ms": .stringConvertible((milliseconds * 1000).rounded() / 1000),
        ]
        if let origin = request.headerFields[.origin] { metadata["origin"] = .string(CORSDecision.sanitized(origin)) }
        if let cors {
            metadata["cors"] =
                switch cors.kind {
                case .notCORS: .string(cors.kind.name)
                case .preflight: .string(cors.kind.name + "-" + cors.verdictName)
                case .actual: .string(cors.verdictName)
                }
            if let rejection = cors.rejection { metadata["reason"] = .string(rejection.code) }
        }
        if let protection, protection.refused { metadata["protection"] = .string(protection.reason.code) }
        logger.info("request", metadata: metadata)
    }
}
