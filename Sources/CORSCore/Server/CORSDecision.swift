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

    /// Why a request was refused, as found: an origin that matched nothing is only told apart as malformed or
    /// not allowed when someone asks, so that refusing it never parses it.
    private enum Refusal: Sendable {
        case rejection(CORSRejection)
        case unmatchedOrigin(String)
    }

    public let kind: Kind
    private let refusal: Refusal?
    /// The `Vary` names the response must list.
    package let vary: VaryNames
    /// The CORS fields in the order they are written, then `vary`'s field: exactly the fields of a response that had
    /// none, so that a preflight's answer or a fresh response can share it instead of building a list.
    let answer: HTTPFields
    /// The status of the immediate response: a preflight's (2xx, or 403 when refused), or 400.
    let immediateStatus: UInt16

    init(
        kind: Kind, rejection: CORSRejection? = nil, vary: VaryNames, answer: HTTPFields, preflightStatus: UInt16 = 403
    ) {
        self.kind = kind
        refusal = rejection.map(Refusal.rejection)
        self.vary = vary
        self.answer = answer
        immediateStatus = rejection?.isAmbiguousPath == true ? 400 : preflightStatus
    }

    /// A refusal of an `Origin` value that no exact origin and no pattern matched.
    init(kind: Kind, unmatchedOrigin: String, vary: VaryNames) {
        self.kind = kind
        refusal = .unmatchedOrigin(unmatchedOrigin)
        self.vary = vary
        answer = vary.fieldsAlone
        immediateStatus = 403
    }

    /// Why the request was refused; `nil` when it is allowed or not a CORS request.
    public var rejection: CORSRejection? {
        switch refusal {
        case nil: nil
        case .rejection(let rejection): rejection
        case .unmatchedOrigin(let value):
            value == "null" || SerializedOrigin.isValid(value) ? .originNotAllowed : .malformedOrigin
        }
    }

    /// The origin, when the request was refused only because no rule lists it: a browser's serialization, never
    /// `null`. This is what a middleware asks an ``OriginSource`` about, and gives back to
    /// ``CORSPolicy/evaluate(_:allowing:)``.
    public var unlistedOrigin: Origin? {
        guard case .unmatchedOrigin(let value) = refusal, value != "null", SerializedOrigin.isValid(value) else {
            return nil
        }
        return Origin(headerValue: value)
    }

    /// A response without fields for each status an immediate response can have, built once (an `HTTPResponse`
    /// allocates storage for its status): 200 to 299 by `status - 200`, then 400 and 403.
    private static let heads: [HTTPResponse] = (Array(200...299) + [400, 403]).map {
        HTTPResponse(status: .init(code: $0))
    }

    private static func head(_ status: UInt16) -> HTTPResponse {
        switch status {
        case 400: heads[100]
        case 403: heads[101]
        default: heads[Int(status) - 200]
        }
    }

    /// A refusal: no CORS field, only `Vary`.
    init(kind: Kind, rejection: CORSRejection, vary: VaryNames) {
        self.init(kind: kind, rejection: rejection, vary: vary, answer: vary.fieldsAlone)
    }

    /// The CORS fields of ``answer``, without `Vary`.
    private var corsFields: HTTPFields.SubSequence { answer.dropLast(vary.isEmpty ? 0 : 1) }

    /// Whether the policy allows the request (always true for a request that is not CORS).
    public var isAllowed: Bool { refusal == nil }

    /// The CORS response fields the decision adds (without `Vary`), in the order they are written.
    public var headerFields: [HTTPField] { Array(corsFields) }

    /// The complete answer when the handler must not run: a preflight's success status and fields, or 403 with
    /// only `Vary`; 400 for a request whose path has no single meaning (``CORSRejection/ambiguousPath(_:)``).
    /// `nil` when the request goes on to the handler.
    public var immediateResponse: HTTPResponse? {
        guard kind == .preflight || immediateStatus == 400 else { return nil }
        var response = Self.head(immediateStatus)
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
        if fields.isEmpty {
            fields = answer
            return
        }
        // Names read in place: a field copied out of `HTTPFields` costs a reference count for each of its strings.
        if fields.indices.contains(where: { Self.isCORSResponseField(fields[$0].name) }) {
            fields = HTTPFields(fields.filter { !Self.isCORSResponseField($0.name) })
        }
        // Room for every field added, so that the list grows once (the fields usually come shared, from a handler);
        // a refusal adds at most `Vary`, and leaves a response that already lists it uncopied.
        if !corsFields.isEmpty { fields.reserveCapacity(fields.count + answer.count) }
        fields.append(contentsOf: corsFields)
        vary.append(to: &fields)
    }

    /// Whether a response field belongs to the CORS protocol, which a policy owns: its name starts with
    /// `Access-Control-` (https://fetch.spec.whatwg.org/#http-responses).
    public static func isCORSResponseField(_ name: HTTPField.Name) -> Bool {
        ASCII.hasPrefixIgnoringCase(name.canonicalName.utf8, "access-control-".utf8)
    }

    /// Whether ``apply(to:)`` could change a response field named `rawName` (in any case): a CORS field or `Vary`.
    /// Told apart by the first byte, so that most names (a response's own) cost one comparison.
    package static func appliesToField(rawName: String) -> Bool {
        switch rawName.utf8.first.map(ASCII.lowercased) {
        case UInt8(ascii: "a"): ASCII.hasPrefixIgnoringCase(rawName.utf8, "access-control-".utf8)
        case UInt8(ascii: "v"): ASCII.equalsIgnoringCase(rawName.utf8, "vary".utf8)
        default: false
        }
    }
}
