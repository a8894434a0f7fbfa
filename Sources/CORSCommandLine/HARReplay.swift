import CORSCore
import HTTPTypes
import Synchronization

/// `cors explain`'s work, offline: each cross-origin request a HAR recorded is run through the browser model, which is
/// fed the responses the HAR recorded — its preflight (paired by URL and requested method), the response, each
/// redirect hop — instead of the network.
///
/// A HAR does not record the request's credentials mode. Cookies sent mean `include`; otherwise fetch's default is
/// assumed, unless the browser recorded the request as failed, the model does not fail it without credentials (it is
/// readable, or the browser never sent it after its preflight) and does fail it with them: then the page must have
/// asked for them, and the report says it was inferred.
struct HARReplay {
    /// What the model says of one cross-origin request.
    struct Explained {
        /// The entry's position in the file, from 1.
        let entry: Int
        let page: SentRequest.PageRequest
        /// The model's result, or `nil` when the HAR lacks what the model needs (see `unresolved`).
        let result: FetchResult?
        let unresolved: String?
        /// The entry (from 1) of the preflight that was paired with it.
        let preflightEntry: Int?
        /// Whether the browser recorded an error or no response for it.
        let recordedFailure: Bool
    }

    /// Header fields whose values are replaced before the model (or any report) sees them.
    static let redactedByDefault: Set<String> = ["cookie", "authorization", "proxy-authorization", "set-cookie"]
    static let redactedValue = "[redacted]"

    let har: HAR
    let profile: BrowserProfile
    /// Lowercased names whose values are redacted.
    let redacted: Set<String>
    /// The credentials mode to assume for every request, instead of inferring it.
    let credentials: CredentialsMode?

    private struct Attempt {
        var result: FetchResult?
        var unresolved: String?
        var preflightEntry: Int?
        var consumed: Set<Int>
    }

    /// Every cross-origin request, in the file's order, and how many entries were not CORS requests.
    func run() -> (explained: [Explained], notCORS: Int) {
        let now = Mutex<Double>(0)
        let cache = PreflightCache(clock: { now.withLock { $0 } })
        let entries = har.log.entries
        var consumed = Set<Int>()
        var explained: [Explained] = []
        var notCORS = 0
        for (index, entry) in entries.enumerated() where !consumed.contains(index) && !entry.isPreflight {
            let sent = sentRequest(entry.request)
            guard entry.request.value(of: "origin") != nil,
                var page = try? sent.pageRequest(origin: nil, credentials: credentials),
                let target = try? Origin(url: entry.request.url), !page.request.origin.isSameOrigin(target)
            else {
                notCORS += 1
                continue
            }
            if let seconds = entry.startSeconds { now.withLock { $0 = seconds } }
            var attempt = replay(page.request, at: index, cache: cache, consumed: consumed)
            if credentials == nil, !sent.sentCookies, entry.recordedFailure, attempt.result?.isReadable != false {
                var credentialed = page.request
                credentialed.credentials = .include
                let second = replay(credentialed, at: index, cache: cache, consumed: consumed)
                if let result = second.result, !result.isReadable {
                    attempt = second
                    page.request = credentialed
                    page.credentialsReason =
                        "inferred: the browser recorded this request as failed, and the recorded headers fail it "
                        + "only when the page asked for credentials: 'include'"
                }
            }
            consumed = attempt.consumed
            explained.append(
                Explained(
                    entry: index + 1, page: page, result: attempt.result, unresolved: attempt.unresolved,
                    preflightEntry: attempt.preflightEntry.map { $0 + 1 }, recordedFailure: entry.recordedFailure))
        }
        return (explained, notCORS)
    }

    /// Runs the model for `request`, answering each request it sends from the HAR's entries.
    private func replay(_ request: CrossOriginRequest, at index: Int, cache: PreflightCache, consumed: Set<Int>)
        -> Attempt
    {
        let entries = har.log.entries
        var attempt = Attempt(consumed: consumed)
        attempt.consumed.insert(index)
        var fetch = BrowserFetch(request, profile: profile, cache: cache)
        var action = fetch.start()
        var position: Int?
        while case .send(let outgoing) = action {
            let found: Int?
            if outgoing.isPreflight {
                found = preflightEntry(for: outgoing, near: index, consumed: attempt.consumed)
            } else if let last = position {
                found = entries.indices.first { other in
                    other > last && !attempt.consumed.contains(other) && !entries[other].isPreflight
                        && entries[other].request.url == outgoing.url
                        && entries[other].request.method == outgoing.method.rawValue
                }
            } else {
                found = index
            }
            guard let found else {
                attempt.unresolved =
                    outgoing.isPreflight
                    ? "a preflight is needed, and the HAR has none for this request: the browser used a preflight "
                        + "it had cached before the recording started, or the recording left it out"
                    : "the HAR has no entry for the redirect to \(outgoing.url)"
                return attempt
            }
            attempt.consumed.insert(found)
            if outgoing.isPreflight { attempt.preflightEntry = found } else { position = found }
            guard let recorded = entries[found].response, recorded.status != 0 else {
                let error = entries[found].response?.error.map { " (\($0))" } ?? ""
                attempt.unresolved =
                    "the browser recorded no response for entry \(found + 1)\(error), so the HAR cannot show why "
                    + "it failed; replay it with `cors check --curl`"
                return attempt
            }
            action = fetch.receive(response(recorded))
        }
        if case .finish(let result) = action { attempt.result = result }
        return attempt
    }

    /// The unused recorded preflight for the same URL and method nearest to the request (DevTools lists it just
    /// before or just after the request it belongs to).
    private func preflightEntry(for outgoing: OutgoingRequest, near index: Int, consumed: Set<Int>) -> Int? {
        let entries = har.log.entries
        let method = outgoing.headerFields[.accessControlRequestMethod]
        return entries.indices.filter { other in
            !consumed.contains(other) && entries[other].isPreflight && entries[other].request.url == outgoing.url
                && entries[other].request.value(of: "access-control-request-method") == method
        }.min { abs($0 - index) < abs($1 - index) }
    }

    /// The request as the browser sent it, with redacted values replaced.
    private func sentRequest(_ request: HAR.Request) -> SentRequest {
        let fields = request.headers.filter { !$0.name.hasPrefix(":") }.map { field in
            (name: field.name, value: Array(value(field).utf8))
        }
        let cookieField = request.headers.contains { $0.name.lowercased() == "cookie" }
        return SentRequest(
            url: request.url, method: request.method, fields: fields,
            sentCookies: cookieField || !(request.cookies ?? []).isEmpty,
            bodyLength: request.postData?.text?.utf8.count ?? max(request.bodySize ?? 0, 0))
    }

    private func response(_ recorded: HAR.Response) -> HTTPResponse {
        var fields = HTTPFields()
        for field in recorded.headers where !field.name.hasPrefix(":") {
            guard let name = HTTPField.Name(field.name) else { continue }
            fields.append(HTTPField(name: name, lenientValue: Array(value(field).utf8)))
        }
        let status = HTTPResponse.Status(code: recorded.status, reasonPhrase: recorded.statusText ?? "")
        return HTTPResponse(status: status, headerFields: fields)
    }

    private func value(_ field: HAR.Field) -> String {
        redacted.contains(field.name.lowercased()) ? Self.redactedValue : field.value
    }
}
