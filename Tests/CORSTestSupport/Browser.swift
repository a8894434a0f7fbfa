public import CORSClient
public import CORSCore
import Foundation
import HTTPTypes

/// Fetches `url` as a page on `origin` would, with a fresh browser model (no cached preflights).
public func browserFetch(
    _ url: String, from origin: String, method: String = "GET", headers: [(String, String)] = [],
    credentials: CredentialsMode = .omit, client: CORSClient? = nil
) async -> CORSClient.Outcome {
    let ownClient = client == nil
    let client = client ?? CORSClient(timeoutSeconds: 10)
    var fields = HTTPFields()
    for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
    let request = CrossOriginRequest(
        origin: Origin(headerValue: origin)!, url: url, method: HTTPRequest.Method(method)!, headerFields: fields,
        credentials: credentials)
    let outcome = await client.fetch(request)
    if ownClient { try? await client.shutdown() }
    return outcome
}

extension CORSClient.Outcome {
    /// The status of the response to the preflight, when one was sent.
    public var preflightStatus: Int? {
        result.preflight?.response.map { Int($0.status.code) }
    }

    /// The values of a field of the final response as received (not as script sees it).
    public func received(_ name: String) -> [String] {
        result.exchanges.last { !$0.request.isPreflight }?.response?.headerFields[values: HTTPField.Name(name)!] ?? []
    }
}

/// `text` parsed as one JSON object, for tests that check a `--json` document's fields rather than its bytes.
public func jsonObject(_ text: String) -> [String: any Sendable]? {
    guard let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) else {
        return nil
    }
    return object as? [String: any Sendable]
}
