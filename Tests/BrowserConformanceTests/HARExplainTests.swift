import ArgumentParser
import CORSCore
import CORSTestSupport
import Foundation
import Testing

@testable import CORSCommandLine

extension RealBrowsers {
    /// `cors explain` on what real Chromium recorded: a page fetches from a server built with one fault per path, the
    /// net log becomes a HAR, and the explanation of each request must name the fault its path was built with — and agree
    /// with what the page itself saw.
    @Suite("cors explain on HARs recorded by real Chromium", .enabled(if: Chromium.shouldRun), .serialized)
    struct HARExplainTests {
        /// (path, method, request headers, credentials, the fault the path was built with).
        static let cases: [(String, String, [String: String], String, CORSFailure?)] = [
            ("/ok", "GET", [:], "include", nil),
            ("/ok-preflight", "PUT", ["X-A": "1"], "same-origin", nil),
            ("/missing", "GET", [:], "same-origin", .missingAllowOrigin),
            ("/multiple", "GET", [:], "same-origin", .multipleAllowOrigin),
            ("/invalid", "GET", [:], "same-origin", .invalidAllowOrigin),
            ("/mismatch", "GET", [:], "same-origin", .allowOriginMismatch),
            ("/wildcard", "GET", [:], "include", .wildcardOriginWithCredentials),
            ("/no-credentials", "GET", [:], "include", .allowCredentialsNotTrue),
            ("/pf-missing", "PUT", [:], "same-origin", .preflightMissingAllowOrigin),
            ("/pf-multiple", "PUT", [:], "same-origin", .preflightMultipleAllowOrigin),
            ("/pf-invalid", "PUT", [:], "same-origin", .preflightInvalidAllowOrigin),
            ("/pf-mismatch", "PUT", [:], "same-origin", .preflightAllowOriginMismatch),
            ("/pf-wildcard", "PUT", [:], "include", .preflightWildcardOriginWithCredentials),
            ("/pf-credentials", "PUT", [:], "include", .preflightAllowCredentialsNotTrue),
            ("/pf-status", "PUT", [:], "same-origin", .preflightInvalidStatus),
            ("/pf-redirect", "PUT", [:], "same-origin", .preflightRedirect),
            ("/pf-bad-methods", "PUT", [:], "same-origin", .invalidAllowMethods),
            ("/pf-bad-headers", "GET", ["X-A": "1"], "same-origin", .invalidAllowHeaders),
            ("/pf-method", "PUT", [:], "same-origin", .methodNotAllowed),
            ("/pf-header", "GET", ["X-A": "1"], "same-origin", .headerNotAllowed),
            ("/redirect-ftp", "GET", [:], "same-origin", .redirectToNonHTTPScheme),
            ("/loop", "GET", [:], "same-origin", .tooManyRedirects),
        ]

        typealias Case = (String, String, [String: String], String, CORSFailure?)

        /// The page fetches each case in turn (a unique URL each, so no preflight is cached for another), under a
        /// net log; returns the HAR written from it, what the page saw, and the API's origin.
        static func record(_ cases: [Case]) async throws -> (har: Data, seen: String, api: String) {
            let api = try await CatalogueServer.start()
            let calls = cases.enumerated().map { index, item in
                let headers = item.2.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
                return "[\(index), \"\(api.origin)\(item.0)?case=\(index)\", {method: \"\(item.1)\", "
                    + "headers: {\(headers)}, credentials: \"\(item.3)\"}]"
            }
            let page = """
                <pre id="out"></pre><script>
                (async () => {
                  const lines = [];
                  for (const [index, url, init] of [\(calls.joined(separator: ",\n"))]) {
                    try { const r = await fetch(url, init); lines.push(index + " ok " + r.status); }
                    catch (e) { lines.push(index + " failed"); }
                  }
                  document.getElementById("out").textContent = lines.join("\\n");
                })();
                </script>
                """
            let pages = try await ScriptedServer.start { _ in
                ScriptedResponse(200, [("Content-Type", "text/html")], body: page)
            }
            let directory = NSTemporaryDirectory() + "har-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let netLog = directory + "/net-log.json"
            // The page is on localhost, the API on 127.0.0.1: cross-origin (and cross-site).
            let dom = try await Chromium.dumpDOM(
                "http://localhost:\(pages.port)/", seconds: 20,
                extraArguments: ["--log-net-log=\(netLog)", "--net-log-capture-mode=IncludeSensitive"])
            try await pages.shutdown()
            try await api.shutdown()
            let seen = try #require(Chromium.output(of: dom), "\(dom)")
            return (try NetLogHAR.har(fromNetLog: netLog), seen, api.origin)
        }

        static func explain(_ har: Data) throws -> (report: [String: Any], exitCode: Int32) {
            let path = NSTemporaryDirectory() + "har-\(UUID().uuidString).har"
            try har.write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let command = try #require(try CORSCommand.parseAsRoot(["explain", path, "--all", "--json"]) as? Explain)
            let (output, exitCode) = command.execute()
            return (try #require(jsonObject(output)), exitCode)
        }

        @Test func everyFaultIsNamed() async throws {
            let (har, seen, api) = try await Self.record(Self.cases)
            let (report, exitCode) = try Self.explain(har)
            #expect(exitCode == 1, "some requests were blocked")
            #expect(report["browser"] as? String == "chromium")
            let requests = try #require(report["requests"] as? [[String: Any]])
            for (index, item) in Self.cases.enumerated() {
                let url = "\(api)\(item.0)?case=\(index)"
                let explained = requests.first { $0["url"] as? String == url }
                let line = seen.split(separator: "\n").first { $0.hasPrefix("\(index) ") } ?? "none"
                #expect(line.contains(item.4 == nil ? " ok " : " failed"), "\(item.0): the page saw \(line)")
                let id = (explained?["failure"] as? [String: Any])?["id"] as? String
                #expect(id == item.4?.code, "\(item.0): explained as \(id ?? "readable") — \(explained ?? [:])")
                #expect(explained?["verdict"] as? String == (item.4 == nil ? "allowed" : "blocked"), "\(item.0)")
                if item.4 != nil {
                    // A HAR has no credentials mode: a failure that only credentials explain shows the page asked for them.
                    let credentials = explained?["credentials"] as? String
                    #expect(credentials == (item.3 == "include" ? "include" : "same-origin"), "\(item.0)")
                }
                print("explain on Chromium's HAR — \(item.0) \(item.1): \(id ?? "allowed")")
            }
        }

        /// The README's `examples/session.har` is such a recording (`CORS_WRITE_EXAMPLES=1` writes it again); a fresh
        /// recording of the same cases is explained the same way.
        @Test func theReadmeExampleIsWhatChromiumRecords() async throws {
            let cases: [Case] = [
                ("/ok", "GET", [:], "include", nil), ("/ok-preflight", "PUT", ["X-A": "1"], "same-origin", nil),
                ("/missing", "GET", [:], "same-origin", .missingAllowOrigin),
                ("/wildcard", "GET", [:], "include", .wildcardOriginWithCredentials),
                ("/pf-credentials", "PUT", [:], "include", .preflightAllowCredentialsNotTrue),
                ("/pf-header", "GET", ["X-A": "1"], "same-origin", .headerNotAllowed),
            ]
            let (har, _, _) = try await Self.record(cases)
            let (report, _) = try Self.explain(har)
            let requests = try #require(report["requests"] as? [[String: Any]])
            let verdicts = requests.map { ($0["failure"] as? [String: Any])?["id"] as? String ?? "allowed" }
            #expect(verdicts == cases.map { $0.4?.code ?? "allowed" })
            if ProcessInfo.processInfo.environment["CORS_WRITE_EXAMPLES"] == "1" {
                let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent()
                let object = try JSONSerialization.jsonObject(with: har)
                try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                    .write(to: root.appendingPathComponent("examples/session.har"))
            }
        }
    }
}
