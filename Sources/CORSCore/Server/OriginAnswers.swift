import HTTPTypes

/// How one set of rules answers an allowed origin: the fields that do not depend on the request, and the `Vary`
/// an actual response needs.
struct AnswerTemplate: Sendable {
    /// `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers` for actual responses.
    let actualFields: [HTTPField]
    /// `Access-Control-Allow-Credentials` and `Access-Control-Max-Age` for successful preflights.
    let preflightFields: [HTTPField]
    /// What an actual response varies on: `Origin`, unless every origin gets `*`.
    ///
    /// https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
    let originVary: VaryNames

    /// The fields of an allowed actual request (https://fetch.spec.whatwg.org/#http-responses).
    func actual(allowOrigin: HTTPField) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(2 + actualFields.count)
        fields.append(allowOrigin)
        fields.append(contentsOf: actualFields)
        fields.append(contentsOf: originVary.fieldsAlone)
        return fields
    }

    /// The fields of an allowed preflight (https://fetch.spec.whatwg.org/#cors-preflight-fetch).
    func preflight(allowOrigin: HTTPField, allowMethods: HTTPField?, allowHeaders: HTTPField?) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(4 + preflightFields.count)
        fields.append(allowOrigin)
        if let allowMethods { fields.append(allowMethods) }
        if let allowHeaders { fields.append(allowHeaders) }
        fields.append(contentsOf: preflightFields)
        fields.append(contentsOf: VaryNames.preflight.fieldsAlone)
        return fields
    }
}

/// The answers to one allowed origin, built when a policy is compiled for each exact origin and for `*`: the
/// requests a server sees most then share their response fields instead of building them. A class, so that
/// handing them to a decision is one reference.
final class OriginAnswers: Sendable {
    /// `Access-Control-Allow-Origin`: the origin, or `*`.
    let allowOrigin: HTTPField
    /// An actual request's fields: the origin, credentials, exposed headers, then `Vary`.
    let actual: HTTPFields
    /// A preflight's fields when neither a method nor headers are echoed: the origin, credentials, max-age, then
    /// `Vary`.
    let preflight: HTTPFields
    /// Answers to the preflights this origin sent most recently that echo a method or headers.
    let memo = PreflightMemo()

    init(allowOrigin: HTTPField, template: AnswerTemplate) {
        self.allowOrigin = allowOrigin
        actual = template.actual(allowOrigin: allowOrigin)
        preflight = template.preflight(allowOrigin: allowOrigin, allowMethods: nil, allowHeaders: nil)
    }
}
