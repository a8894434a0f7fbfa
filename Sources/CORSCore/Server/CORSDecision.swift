public import HTTPTypes

/// What a policy decided for one request: whether it is a CORS request at all, a preflight or an actual request,
/// whether it is allowed, and exactly which fields the response must carry.
///
/// A middleware answers with ``immediateResponse`` without calling its handler when there is one (a preflight, or a
/// request refused with 400), and otherwise calls the handler and then ``apply(to:)`` on the handler's response
/// fields.
public struct CORSDecision: Sendable {
    /// The kind of request the decision is about.
    public enum Kind: Sendable, Hashable {
        /// No `Origin` header: a same-origin request or a non-browser client.
        case notCORS
        /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
        ///
        /// https://fetch.spec.whatwg.org/#cors-preflight-request
        case preflight
        /// Any other request with `Origin`; the handler runs and the response gets CORS fields if allowed.
        case actual
    }

    public let kind: Kind
    /// Why the request was refused; `nil` when it is allowed or not a CORS request.
    public let rejection: CORSRejection?
    /// The `Vary` names the response must list.
    package let vary: VaryNames

    let allowOrigin: HTTPField?
    let allowMethods: HTTPField?
    let allowHeaders: HTTPField?
    let otherFields: [HTTPField]
    let preflightStatus: HTTPResponse.Status

    init(
        kind: Kind, rejection: CORSRejection? = nil, vary: VaryNames, allowOrigin: HTTPField? = nil,
        allowMethods: HTTPField? = nil, allowHeaders: HTTPField? = nil, otherFields: [HTTPField] = [],
        preflightStatus: HTTPResponse.Status = .forbidden
    ) {
        self.kind = kind
        self.rejection = rejection
        self.vary = vary
        self.allowOrigin = allowOrigin
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
        self.otherFields = otherFields
        self.preflightStatus = preflightStatus
    }

    /// Whether the policy allows the request (always true for a request that is not CORS).
    public var isAllowed: Bool { rejection == nil }

    /// The CORS response fields the decision adds (without `Vary`), in the order they are written.
    public var headerFields: [HTTPField] {
        [allowOrigin, allowMethods, allowHeaders].compactMap { $0 } + otherFields
    }

    /// The complete answer when the handler must not run: a preflight's success status and fields, or 403 with
    /// only `Vary`; 400 for a request whose path has no single meaning (``CORSRejection/ambiguousPath(_:)``).
    /// `nil` when the request goes on to the handler.
    public var immediateResponse: HTTPResponse? {
        var response: HTTPResponse
        if rejection?.isAmbiguousPath == true {
            response = HTTPResponse(status: .badRequest)
        } else if kind == .preflight {
            response = HTTPResponse(status: preflightStatus)
        } else {
            return nil
        }
        apply(to: &response.headerFields)
        return response
    }

    /// Writes the decision into a response's fields.
    ///
    /// The policy is the one authority on CORS: every `Access-Control-*` field already there (from a handler or an
    /// upstream) is removed, so a response can never carry two conflicting values, nor a field the policy did not
    /// decide (`Access-Control-Allow-Private-Network`, say). Every other field is kept, and `Vary` is appended to,
    /// never replaced.
    public func apply(to fields: inout HTTPFields) {
        if fields.contains(where: { Self.isCORSResponseField($0.name) }) {
            fields = HTTPFields(fields.filter { !Self.isCORSResponseField($0.name) })
        }
        if let allowOrigin { fields.append(allowOrigin) }
        if let allowMethods { fields.append(allowMethods) }
        if let allowHeaders { fields.append(allowHeaders) }
        fields.append(contentsOf: otherFields)
        vary.append(to: &fields)
    }

    /// Whether a response field belongs to the CORS protocol, which a policy owns: its name starts with
    /// `Access-Control-` (https://fetch.spec.whatwg.org/#http-responses).
    public static func isCORSResponseField(_ name: HTTPField.Name) -> Bool {
        ASCII.hasPrefixIgnoringCase(name.canonicalName.utf8, "access-control-".utf8)
    }
}
