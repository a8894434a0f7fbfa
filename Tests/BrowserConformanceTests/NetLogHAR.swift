import Foundation
import Testing

/// A HAR written from Chromium's own net log (`--log-net-log`, https://www.chromium.org/developers/design-documents/network-stack/netlog/),
/// shaped as DevTools' "Save all as HAR" writes it: one entry per request and redirect hop, with the fields Chromium
/// put on the wire and received, `_resourceType: "preflight"` on CORS preflights, and `_error` with status 0 for a
/// request that never got a response (its preflight failed) or that Chromium cancelled (its CORS check failed).
///
/// headless-shell has no DevTools front end to export a HAR, so the tests build one from the net log: every header
/// in it is what real Chromium sent and received.
enum NetLogHAR {
    private struct Entry {
        var time: Double
        var method: String
        var url: String
        var requestHeaders: [(String, String)]
        var status = 0
        var statusText = ""
        var responseHeaders: [(String, String)] = []
        var error: String?
        var isPreflight = false
    }

    /// The HAR (as JSON data) for the net log at `path`.
    static func har(fromNetLog path: String) throws -> Data {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let constants = try #require(log["constants"] as? [String: Any])
        let types = try #require(constants["logEventTypes"] as? [String: Int])
        let name = Dictionary(uniqueKeysWithValues: types.map { ($0.value, $0.key) })
        let tickOffset = Double(constants["timeTickOffset"] as? String ?? "0") ?? 0
        let events = try #require(log["events"] as? [[String: Any]])

        var entries: [Int: [Entry]] = [:]  // by source id
        var current: [Int: (method: String, url: String)] = [:]
        var corsRequest: [Int: (time: Double, method: String, url: String, headers: [(String, String)])] = [:]
        var preflightOf: [Int: Int] = [:]  // request source → its preflight's source
        var cancelled: Set<Int> = []
        for event in events {
            guard let type = event["type"] as? Int, let source = (event["source"] as? [String: Any])?["id"] as? Int
            else { continue }
            let params = event["params"] as? [String: Any] ?? [:]
            let time = tickOffset + (Double(event["time"] as? String ?? "0") ?? 0)
            switch name[type] {
            case "CORS_REQUEST" where event["phase"] as? Int == 1:
                let headers = (params["request_headers"] as? [String: Any]) ?? [:]
                let line = headers["line"] as? String ?? ""
                corsRequest[source] = (
                    time, String(line.prefix { $0 != " " }), params["url"] as? String ?? "",
                    fields(headers["headers"] as? [String] ?? [])
                )
            case "CORS_PREFLIGHT_URL_REQUEST":
                if let dependency = (params["source_dependency"] as? [String: Any])?["id"] as? Int {
                    preflightOf[source] = dependency
                }
            case "URL_REQUEST_START_JOB" where event["phase"] as? Int == 1:
                current[source] = (params["method"] as? String ?? "GET", params["url"] as? String ?? "")
            case "HTTP_TRANSACTION_SEND_REQUEST_HEADERS":
                guard let (method, url) = current[source] else { break }
                let headers = fields((params["headers"] as? [String] ?? []).filter { !$0.hasPrefix("Host:") })
                entries[source, default: []].append(
                    Entry(time: time, method: method, url: url, requestHeaders: headers))
            case "HTTP_TRANSACTION_READ_RESPONSE_HEADERS":
                guard var list = entries[source], !list.isEmpty else { break }
                var lines = params["headers"] as? [String] ?? []
                guard !lines.isEmpty else { break }
                let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
                list[list.count - 1].status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
                list[list.count - 1].statusText = statusLine.count > 2 ? String(statusLine[2]) : ""
                list[list.count - 1].responseHeaders = fields(lines)
                entries[source] = list
            case "CANCELLED":
                cancelled.insert(source)
            default:
                break
            }
        }
        var all: [Entry] = []
        for (source, request) in corsRequest {
            var list = entries[source] ?? []
            if list.isEmpty {
                // Its preflight failed: the request itself never went out. DevTools lists it with the fields it knows.
                let preflight = preflightOf[source].flatMap { entries[$0]?.first }
                let added = preflight?.requestHeaders.filter { ["Origin", "Referer"].contains($0.0) } ?? []
                list = [
                    Entry(
                        time: request.time, method: request.method, url: request.url,
                        requestHeaders: request.headers + added, error: "net::ERR_FAILED")
                ]
            } else if cancelled.contains(source) {
                list[list.count - 1].error = "net::ERR_FAILED"
            }
            all += list
        }
        for preflight in preflightOf.values {
            all += (entries[preflight] ?? []).map { entry in
                var entry = entry
                entry.isPreflight = true
                return entry
            }
        }
        all.sort { $0.time < $1.time }
        return try JSONSerialization.data(withJSONObject: [
            "log": [
                "version": "1.2", "creator": ["name": "WebInspector", "version": "537.36"],
                "entries": all.map(json),
            ]
        ])
    }

    private static func json(_ entry: Entry) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func pairs(_ fields: [(String, String)]) -> [[String: String]] {
            fields.map { ["name": $0.0, "value": $0.1] }
        }
        var response: [String: Any] = [
            "status": entry.status, "statusText": entry.statusText, "headers": pairs(entry.responseHeaders),
            "redirectURL": entry.responseHeaders.first { $0.0.lowercased() == "location" }?.1 ?? "",
        ]
        if let error = entry.error { response["_error"] = error }
        var object: [String: Any] = [
            "startedDateTime": formatter.string(from: Date(timeIntervalSince1970: entry.time / 1000)),
            "request": [
                "method": entry.method, "url": entry.url, "headers": pairs(entry.requestHeaders), "cookies": [],
            ],
            "response": response,
        ]
        object["_resourceType"] = entry.isPreflight ? "preflight" : "fetch"
        return object
    }

    private static func fields(_ lines: [String]) -> [(String, String)] {
        lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                String(line[..<colon]),
                String(line[line.index(after: colon)...].drop { $0 == " " })
            )
        }
    }
}
