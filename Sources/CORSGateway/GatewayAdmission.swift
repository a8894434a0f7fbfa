import CORSCore
import HTTPTypes
import Logging
import NIOCore

/// What the gateway decides from a request's head alone, in order: the method (CONNECT and TRACE are not
/// forwarded), the path made canonical (or the request refused), the CORS policy, then cross-origin protection —
/// all from one snapshot of the policy file, so that a reload never splits a request between two files.
///
/// The path is made canonical first so that one path is both judged — route rules, exemptions — and forwarded; a
/// path servers read in different ways (``PathAmbiguity``) is refused here, before it could reach an upstream that
/// reads it another way.
struct GatewayAdmission {
    enum Verdict {
        /// The gateway answers itself; nothing goes upstream.
        case answer(GatewayResponse)
        /// The request goes on, with its canonical path.
        case forward(HTTPRequest)
    }

    let verdict: Verdict
    /// The decisions, for the metrics and the access log; `nil` where the request did not get that far.
    let cors: CORSDecision?
    let protection: ProtectionDecision?

    /// The gateway's decisions on `request`; refusals are logged to `logger` at `debug` with their codes.
    init(_ request: HTTPRequest, file: PolicyFile, logger: Logger?) {
        if request.method == .connect || request.method.rawValue == "TRACE" {
            self.init(
                .answer(
                    GatewayResponses.error(
                        status: 405, code: "method-not-allowed",
                        message: "the gateway does not forward CONNECT or TRACE")))
            return
        }
        let target = request.path ?? "/"
        var canonical = request
        switch RequestPath.canonical(target[...]) {
        case .failure(let ambiguity):
            self.init(
                .answer(
                    GatewayResponses.error(
                        status: 400, code: "ambiguous-path", message: "\(ambiguity) [\(ambiguity.code)]", close: true)))
            return
        case .success(let path):
            // A byte search: the target is ASCII (the parser checked), so no character needs to be formed.
            let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex
            // Most paths are canonical already: the request is then left as it is, not copied.
            if path != target[..<question] { canonical.path = String(path) + target[question...] }
        }
        let cors = file.policy.evaluate(canonical)
        if let logger, logger.logLevel <= .debug, let message = cors.logMessage(for: canonical) {
            logger.debug("\(message)")
        }
        if let immediate = cors.immediateResponse {
            self.init(.answer(GatewayResponse(head: immediate)), cors: cors)
            return
        }
        guard let protection = file.crossOriginProtection?.evaluate(canonical) else {
            self.init(.forward(canonical), cors: cors)
            return
        }
        if let logger, logger.logLevel <= .debug, let message = protection.logMessage(for: canonical) {
            logger.debug("\(message)")
        }
        if var rejection = protection.rejectionResponse {
            cors.apply(to: &rejection.headerFields)
            self.init(
                .answer(GatewayResponse(head: rejection, body: ByteBuffer(string: protection.rejectionBody))),
                cors: cors, protection: protection)
            return
        }
        self.init(.forward(canonical), cors: cors, protection: protection)
    }

    private init(_ verdict: Verdict, cors: CORSDecision? = nil, protection: ProtectionDecision? = nil) {
        self.verdict = verdict
        self.cors = cors
        self.protection = protection
    }

    /// Adds to the fields of a response from beyond the admission — the upstream's, the echo's, or the gateway's
    /// answer to a failure — what the decisions ask for: the protection's fields, then the CORS fields, so that a
    /// page can read even an error.
    func decorate(_ fields: inout HTTPFields) {
        protection?.apply(to: &fields)
        cors?.apply(to: &fields)
    }
}
