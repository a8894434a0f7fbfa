import HTTPTypes

/// A request as a browser put it on the wire — with the fields the browser adds itself — read back into what the
/// page's script asked `fetch` for: the page's origin, the fields script set, and whether credentials went with it.
///
/// `cors check --curl` and `cors explain` both start from such a request (a "Copy as cURL" command, a HAR entry).
package struct SentRequest {
    package var url: String
    package var method: String
    package var fields: [(name: String, value: [UInt8])]
    /// Whether cookies went with it (a `Cookie` field, `-b`, or a HAR entry's `cookies`).
    package var sentCookies: Bool
    /// How many bytes the body had (a redirect to `GET` drops it, which the model traces).
    package var bodyLength: Int

    /// What the page asked for, and how each part was found.
    package struct PageRequest {
        package var request: CrossOriginRequest
        /// Where the page's origin came from: `Origin`, `Referer`, or `given`.
        package var originSource: String
        /// Why the credentials mode is what it is.
        package var credentialsReason: String
        /// Fields the browser sets itself, which script did not send (lowercased names, first occurrence order).
        package var browserFields: [String]
    }

    package struct Unreadable: Error, CustomStringConvertible {
        package let description: String
    }

    /// Fields a browser adds that are not forbidden request headers (https://fetch.spec.whatwg.org/#forbidden-request-header)
    /// — so the model would count them as the page's and preflight them — but that script did not set: Chromium's
    /// and Firefox's `User-Agent`, `Priority` and `Upgrade-Insecure-Requests`, and the `Pragma` and `Cache-Control`
    /// DevTools adds when "Disable cache" is on.
    package static let browserAddedNames: Set<String> = [
        "user-agent", "priority", "upgrade-insecure-requests", "pragma", "cache-control",
    ]

    package init(
        url: String, method: String, fields: [(name: String, value: [UInt8])], sentCookies: Bool, bodyLength: Int
    ) {
        self.url = url
        self.method = method
        self.fields = fields
        self.sentCookies = sentCookies
        self.bodyLength = bodyLength
    }

    /// The page's request. `origin` and `credentials`, when given, win over what the fields say.
    package func pageRequest(origin: Origin?, credentials: CredentialsMode?) throws(Unreadable) -> PageRequest {
        var pageOrigin = origin
        var originSource = "given"
        if pageOrigin == nil, let value = firstValue("origin") {
            guard value != "null", let parsed = Origin(headerValue: value) else {
                throw Unreadable(
                    description: "the request's Origin is `\(value)`, which is not a page's origin "
                        + "(a sandboxed or file: page, or a request after a redirect); give the page's origin")
            }
            pageOrigin = parsed
            originSource = "Origin"
        }
        if pageOrigin == nil, let referer = firstValue("referer"), let parsed = try? Origin(url: referer) {
            pageOrigin = parsed
            originSource = "Referer"
        }
        guard let pageOrigin else {
            throw Unreadable(
                description: "the request has no Origin or Referer to find the page's origin; give it")
        }
        let mode: RequestMode
        switch firstValue("sec-fetch-mode")?.lowercased() {
        case "navigate"?, "websocket"?:
            throw Unreadable(description: "Sec-Fetch-Mode says this is not a fetch from script: CORS does not apply")
        case "no-cors"?: mode = .noCORS
        case "same-origin"?: mode = .sameOrigin
        default: mode = .cors
        }
        let credentialsMode: CredentialsMode
        let credentialsReason: String
        if let credentials {
            credentialsMode = credentials
            credentialsReason = "as given"
        } else if sentCookies {
            credentialsMode = .include
            credentialsReason = "cookies were sent, so the page asked for credentials: 'include'"
        } else {
            credentialsMode = .sameOrigin
            credentialsReason =
                "no cookies were sent, so fetch's default (same-origin) is assumed; "
                + "if the page asked for credentials: 'include', say so"
        }
        var pageFields = HTTPFields()
        var browserFields: [String] = []
        for (name, value) in fields {
            let lowercased = name.lowercased()
            guard let fieldName = HTTPField.Name(name) else {
                throw Unreadable(description: "`\(name)` is not a header field name")
            }
            let text = String(decoding: value, as: UTF8.self)
            if Self.browserAddedNames.contains(lowercased)
                || Fetch.isForbiddenRequestHeader(name: fieldName, value: text)
            {
                if !browserFields.contains(lowercased) { browserFields.append(lowercased) }
            } else {
                pageFields.append(HTTPField(name: fieldName, lenientValue: value))
            }
        }
        guard let method = HTTPRequest.Method(method) else {
            throw Unreadable(description: "`\(method)` is not a method token")
        }
        return PageRequest(
            request: CrossOriginRequest(
                origin: pageOrigin, url: url, method: method, headerFields: pageFields, mode: mode,
                credentials: credentialsMode, hasBody: bodyLength > 0),
            originSource: originSource, credentialsReason: credentialsReason, browserFields: browserFields)
    }

    private func firstValue(_ lowercasedName: String) -> String? {
        fields.first { $0.name.lowercased() == lowercasedName }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}
