import Foundation

/// The parts of an HTTP Archive (HAR 1.2, http://www.softwareishard.com/blog/har-12-spec/) that `cors explain`
/// reads, as Chromium's and Firefox's DevTools export them. Unknown fields are ignored; Chromium's `_resourceType`
/// (`"preflight"` for CORS preflights) and the `_error` of a failed request are read when present.
struct HAR: Decodable {
    let log: Log

    struct Log: Decodable {
        let creator: Software?
        let browser: Software?
        let entries: [Entry]
    }

    struct Software: Decodable {
        let name: String
        let version: String?
    }

    struct Entry: Decodable {
        let startedDateTime: String?
        let request: Request
        let response: Response?
        let resourceType: String?

        private enum CodingKeys: String, CodingKey {
            case startedDateTime, request, response
            case resourceType = "_resourceType"
        }

        /// Seconds since 1970, from `startedDateTime` (ISO 8601), for the preflight cache's clock.
        var startSeconds: Double? {
            guard let startedDateTime else { return nil }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: startedDateTime) { return date.timeIntervalSince1970 }
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: startedDateTime)?.timeIntervalSince1970
        }

        /// A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`
        /// (https://fetch.spec.whatwg.org/#cors-preflight-fetch), or what Chromium marks as one.
        var isPreflight: Bool {
            resourceType == "preflight"
                || (request.method == "OPTIONS" && request.value(of: "access-control-request-method") != nil)
        }

        /// Whether the browser recorded no response or an error for it (`_error`, status 0).
        var recordedFailure: Bool {
            guard let response else { return true }
            return response.status == 0 || !(response.error ?? "").isEmpty
        }
    }

    struct Request: Decodable {
        let method: String
        let url: String
        let headers: [Field]
        let cookies: [Field]?
        let postData: PostData?
        let bodySize: Int?

        /// The first value of a field (HTTP/2 pseudo-fields such as `:authority` are never matched).
        func value(of lowercasedName: String) -> String? {
            headers.first { $0.name.lowercased() == lowercasedName }?.value
        }
    }

    struct PostData: Decodable {
        let text: String?
    }

    struct Response: Decodable {
        let status: Int
        let statusText: String?
        let headers: [Field]
        let error: String?

        private enum CodingKeys: String, CodingKey {
            case status, statusText, headers
            case error = "_error"
        }
    }

    struct Field: Decodable {
        let name: String
        let value: String
    }

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads a HAR file; a clear error when it is missing, not JSON or not a HAR.
    init(contentsOf path: String) throws(Unreadable) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unreadable(description: "\(path): cannot be read")
        }
        do {
            self = try JSONDecoder().decode(HAR.self, from: data)
        } catch DecodingError.dataCorrupted(let context) {
            throw Unreadable(description: "\(path): not JSON (\(context.debugDescription))")
        } catch {
            throw Unreadable(description: "\(path): not a HAR 1.2 log (\(Self.describe(error)))")
        }
    }

    /// `log.entries.0.request`, as a reader would write the path.
    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing `\(path(context.codingPath + [key]))`"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "`\(path(context.codingPath))` has the wrong type"
        default:
            return String(describing: error)
        }
    }
}
