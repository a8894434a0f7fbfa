public import HTTPTypes

/// Whether a request may reach the handler, and why.
public struct ProtectionDecision: Sendable, Hashable {
    /// Why. Stable codes for logs: ``code``.
    public struct Reason: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, CaseIterable {
            case disabled = "disabled"
            case safeMethod = "safe-method"
            case trustedOrigin = "trusted-origin"
            case exemptPath = "exempt-path"
            case sameOrigin = "same-origin"
            case sameSite = "same-site"
            case noBrowserMetadata = "no-browser-metadata"
            case malformedOrigin = "malformed-origin"
            case sameSiteRequest = "same-site-request"
            case crossSiteRequest = "cross-site-request"
            case unknownFetchSite = "unknown-sec-fetch-site"
            case nullOrigin = "null-origin"
            case originMismatch = "origin-mismatch"
            case ambiguousPath = "ambiguous-path"

        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The stable identifier, for logs and tools; new values may be added in any release.
        public var code: String { base.rawValue }

        public static let disabled = Self(.disabled)
        public static let safeMethod = Self(.safeMethod)
        public static let trustedOrigin = Self(.trustedOrigin)
        public static let exemptPath = Self(.exemptPath)
        public static let sameOrigin = Self(.sameOrigin)
        public static let sameSite = Self(.sameSite)
        public static let noBrowserMetadata = Self(.noBrowserMetadata)
        public static let malformedOrigin = Self(.malformedOrigin)
        public static let sameSiteRequest = Self(.sameSiteRequest)
        public static let crossSiteRequest = Self(.crossSiteRequest)
        public static let unknownFetchSite = Self(.unknownFetchSite)
        public static let nullOrigin = Self(.nullOrigin)
        public static let originMismatch = Self(.originMismatch)
        public static let ambiguousPath = Self(.ambiguousPath)

        public var description: String { code }
    }

    public let reason: Reason
    /// Whether the check refuses the request (even in report-only mode, where it still goes through).
    public let refused: Bool
    let reportOnly: Bool

    /// Whether the request goes on to the handler.
    public var isAllowed: Bool { !refused || reportOnly }

    /// The 403 to answer a refused request with — 400 when its path has no single meaning — or `nil` when it goes
    /// on.
    public var rejectionResponse: HTTPResponse? {
        guard !isAllowed else { return nil }
        var response = HTTPResponse(status: reason == .ambiguousPath ? .badRequest : .forbidden)
        response.headerFields[.contentType] = "text/plain; charset=utf-8"
        apply(to: &response.headerFields)
        return response
    }

    /// The body of ``rejectionResponse``.
    public var rejectionBody: String {
        if reason == .ambiguousPath {
            return
                "Request refused [\(reason.code)]: its path has more than one meaning to servers; send it without dot "
                + "segments, encoded separators or parameters on them.\n"
        }
        return
            "Cross-origin request refused [\(reason.code)]: this endpoint only accepts state-changing requests from its "
            + "own origin.\n"
    }

    /// Adds `Vary: Origin, Sec-Fetch-Site` when the decision read them (appended; an existing `Vary` is kept).
    public func apply(to fields: inout HTTPFields) {
        guard reason != .disabled, reason != .safeMethod else { return }
        VaryNames.origin.union(.secFetchSite).append(to: &fields)
    }

    /// One log line for a refusal (or a would-be refusal in report-only mode), values escaped; `nil` otherwise.
    public func logMessage(for request: HTTPRequest) -> String? {
        guard refused else { return nil }
        let origin = request.headerFields[.origin] ?? ""
        let site = request.headerFields[CrossOriginProtection.secFetchSite] ?? ""
        return "\(reportOnly ? "would refuse" : "refused") cross-origin request [\(reason.code)]: "
            + "\(CORSDecision.sanitized(request.method.rawValue)) \(CORSDecision.sanitized(request.path ?? "")) "
            + "Origin \"\(CORSDecision.sanitized(origin))\" Sec-Fetch-Site \"\(CORSDecision.sanitized(site))\""
    }
}
