import ArgumentParser
import CORSCore
import CORSTestSupport
import Foundation
import Testing

@testable import CORSCommandLine

@Suite("cors explain FILE.har")
struct ExplainTests {
    typealias Fields = [(String, String)]

    /// One HAR entry as DevTools writes it.
    static func entry(
        _ method: String, _ url: String, request: Fields, status: Int, response: Fields, at second: Int,
        error: String? = nil, preflight: Bool = false
    ) -> [String: Any] {
        func pairs(_ fields: Fields) -> [[String: String]] { fields.map { ["name": $0.0, "value": $0.1] } }
        var responseObject: [String: Any] = [
            "status": status, "statusText": "", "headers": pairs(response), "redirectURL": "",
        ]
        if let error { responseObject["_error"] = error }
        var object: [String: Any] = [
            "startedDateTime": "2026-11-26T10:00:\(second < 10 ? "0" : "")\(second).000Z",
            "request": ["method": method, "url": url, "headers": pairs(request)], "response": responseObject,
        ]
        if preflight { object["_resourceType"] = "preflight" }
        return object
    }

    static func write(_ entries: [[String: Any]], creator: String = "WebInspector") throws -> String {
        let path = NSTemporaryDirectory() + "explain-\(UUID().uuidString).har"
        let data = try JSONSerialization.data(withJSONObject: [
            "log": ["version": "1.2", "creator": ["name": creator, "version": "1"], "entries": entries]
        ])
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func explain(_ arguments: [String]) throws -> (output: String, exitCode: Int32) {
        try #require(try CORSCommand.parseAsRoot(["explain"] + arguments) as? Explain).execute()
    }

    static let page = "https://app.example"
    static let api = "https://api.example/items"

    /// A Firefox recording: its OPTIONS entry is paired with the PUT, the profile follows Firefox, and requests that
    /// are not CORS (the page itself, a same-origin call) are counted, not explained.
    @Test func firefoxRecordingWithAPairedPreflight() throws {
        let path = try Self.write(
            [
                Self.entry("GET", Self.page + "/", request: [], status: 200, response: [], at: 0),
                Self.entry(
                    "POST", Self.page + "/log", request: [("Origin", Self.page)], status: 204, response: [], at: 1),
                Self.entry(
                    "OPTIONS", Self.api,
                    request: [
                        ("Origin", Self.page), ("Access-Control-Request-Method", "PUT"),
                        ("Access-Control-Request-Headers", "content-type"),
                    ], status: 204,
                    response: [
                        ("Access-Control-Allow-Origin", Self.page), ("Access-Control-Allow-Methods", "POST"),
                        ("Access-Control-Allow-Headers", "content-type"),
                    ], at: 2),
                Self.entry(
                    "PUT", Self.api,
                    request: [
                        ("Origin", Self.page), ("Content-Type", "application/json"), ("Sec-Fetch-Mode", "cors"),
                        ("User-Agent", "Mozilla/5.0 Firefox/153.0"), ("Priority", "u=4"),
                    ], status: 0, response: [], at: 2, error: "NS_ERROR_DOM_BAD_URI"),
            ], creator: "Firefox")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (json, code) = try Self.explain([path, "--json"])
        #expect(code == 1)
        let report = try #require(jsonObject(json))
        #expect(report["browser"] as? String == "firefox" && report["notCORS"] as? Int == 2)
        let requests = try #require(report["requests"] as? [[String: Any]])
        #expect(requests.count == 1)
        #expect(requests.first?["entry"] as? Int == 4 && requests.first?["preflightEntry"] as? Int == 3)
        #expect((requests.first?["failure"] as? [String: Any])?["id"] as? String == "method-not-allowed")
        let (text, _) = try Self.explain([path])
        #expect(text.contains("#4 PUT \(Self.api)"))
        #expect(text.contains("from \(Self.page), credentials same-origin, preflight #3"))
        #expect(text.contains("id: method-not-allowed · Chromium: MethodDisallowedByPreflightResponse"))
        #expect(
            text.contains(
                "4 entries: 1 cross-origin request (0 readable, 1 blocked, 0 unresolved), 1 preflight, 2 not CORS"
            ))
    }

    /// A preflight answered earlier in the recording is cached (Access-Control-Max-Age) and covers a later request;
    /// past its max-age, the missing preflight is said to be missing rather than guessed.
    @Test func thePreflightCacheFollowsTheRecordingsClock() throws {
        let preflightRequest: Fields = [("Origin", Self.page), ("Access-Control-Request-Method", "DELETE")]
        let allow: Fields = [
            ("Access-Control-Allow-Origin", Self.page), ("Access-Control-Allow-Methods", "DELETE"),
            ("Access-Control-Max-Age", "5"),
        ]
        let actual: Fields = [("Origin", Self.page)]
        let answer: Fields = [("Access-Control-Allow-Origin", Self.page)]
        let path = try Self.write([
            Self.entry(
                "OPTIONS", Self.api, request: preflightRequest, status: 204, response: allow, at: 0, preflight: true),
            Self.entry("DELETE", Self.api, request: actual, status: 200, response: answer, at: 0),
            Self.entry("DELETE", Self.api, request: actual, status: 200, response: answer, at: 3),
            Self.entry("DELETE", Self.api, request: actual, status: 200, response: answer, at: 9),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (json, code) = try Self.explain([path, "--json"])
        #expect(code == 0, "nothing blocked")
        let requests = try #require(jsonObject(json)?["requests"] as? [[String: Any]])
        #expect(requests.map { $0["verdict"] as? String } == ["allowed", "allowed", "unresolved"])
        #expect((requests[2]["reason"] as? String)?.contains("a preflight is needed, and the HAR has none") == true)
    }

    /// Secrets never reach the output unless asked for, and the report says what it hid.
    @Test func secretsAreRedacted() throws {
        let path = try Self.write([
            Self.entry(
                "OPTIONS", Self.api,
                request: [
                    ("Origin", Self.page), ("Access-Control-Request-Method", "GET"),
                    ("Access-Control-Request-Headers", "authorization"),
                ], status: 204,
                response: [
                    ("Access-Control-Allow-Origin", Self.page), ("Access-Control-Allow-Credentials", "true"),
                    ("Access-Control-Allow-Headers", "authorization"),
                ], at: 0),
            Self.entry(
                "GET", Self.api,
                request: [
                    ("Origin", Self.page), ("Authorization", "Bearer TOKEN-123"), ("Cookie", "session=COOKIE-456"),
                ], status: 200,
                response: [("Access-Control-Allow-Origin", "*"), ("Set-Cookie", "session=SETCOOKIE-789; Secure")],
                at: 0),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        for arguments in [[path, "--all", "--trace"], [path, "--json"]] {
            let (output, code) = try Self.explain(arguments)
            #expect(code == 1, "cookies were sent, so `*` fails: \(output)")
            for secret in ["TOKEN-123", "COOKIE-456", "SETCOOKIE-789"] {
                #expect(!output.contains(secret), "\(arguments): \(secret) printed")
            }
            #expect(output.contains("authorization"), "the report names what it redacted")
        }
        let (revealed, _) = try Self.explain([path, "--all", "--trace", "--reveal", "Authorization"])
        #expect(revealed.contains("TOKEN-123") && !revealed.contains("COOKIE-456"))
        let (text, _) = try Self.explain([path])
        #expect(text.contains("id: wildcard-origin-with-credentials"))
    }

    @Test func unreadableFiles() throws {
        let notJSON = NSTemporaryDirectory() + "explain-\(UUID().uuidString).har"
        try Data("<html>".utf8).write(to: URL(fileURLWithPath: notJSON))
        let notHAR = NSTemporaryDirectory() + "explain-\(UUID().uuidString).har"
        try Data("{\"log\": {\"entries\": [{\"request\": {}}]}}".utf8).write(to: URL(fileURLWithPath: notHAR))
        defer {
            try? FileManager.default.removeItem(atPath: notJSON)
            try? FileManager.default.removeItem(atPath: notHAR)
        }
        let missing = try Self.explain(["/nonexistent/x.har"])
        #expect(missing.exitCode == 2 && missing.output.contains("cannot be read"))
        let garbage = try Self.explain([notJSON])
        #expect(garbage.exitCode == 2 && garbage.output.contains("not JSON"))
        let wrong = try Self.explain([notHAR, "--json"])
        #expect(wrong.exitCode == 2 && jsonObject(wrong.output)?["error"] != nil)
        #expect(wrong.output.contains("missing `log.entries.0.request.method`"), "\(wrong.output)")
    }

    /// The example in the README, recorded by real Chromium 156 against loopback servers with known faults.
    @Test func theReadmeExample() throws {
        let path = ReadmeTests.root.appendingPathComponent("examples/session.har").path
        let (json, code) = try Self.explain([path, "--json", "--all"])
        #expect(code == 1)
        let requests = try #require(jsonObject(json)?["requests"] as? [[String: Any]])
        let verdicts = requests.map { ($0["failure"] as? [String: Any])?["id"] as? String ?? "allowed" }
        #expect(verdicts == ExplainTests.exampleVerdicts, "\(verdicts)")
    }

    static let exampleVerdicts = [
        "allowed", "allowed", "missing-allow-origin", "wildcard-origin-with-credentials",
        "preflight-allow-credentials-not-true", "header-not-allowed",
    ]
}
