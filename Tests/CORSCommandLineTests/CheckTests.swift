import ArgumentParser
import CORSCore
import CORSTestSupport
import Foundation
import Testing

@testable import CORSCommandLine

@Suite("cors check over loopback")
struct CheckTests {
    static func run(_ arguments: [String]) async throws -> (output: String, exitCode: Int32) {
        let command = try #require(try CORSCommand.parseAsRoot(["check"] + arguments) as? Check)
        return try await command.execute(color: false)
    }

    /// Every failure a server can cause, through the command line, in JSON.
    @Test(
        arguments: [
            ("/ok", ["--credentials", "include"], nil),
            ("/ok-preflight", ["-X", "PUT", "-H", "X-A: 1"], nil),
            ("/missing", [], CORSFailure.missingAllowOrigin),
            ("/multiple", [], .multipleAllowOrigin), ("/invalid", [], .invalidAllowOrigin),
            ("/mismatch", [], .allowOriginMismatch),
            ("/wildcard", ["--credentials", "include"], .wildcardOriginWithCredentials),
            ("/no-credentials", ["--credentials", "include"], .allowCredentialsNotTrue),
            ("/pf-missing", ["-X", "PUT"], .preflightMissingAllowOrigin),
            ("/pf-multiple", ["-X", "PUT"], .preflightMultipleAllowOrigin),
            ("/pf-invalid", ["-X", "PUT"], .preflightInvalidAllowOrigin),
            ("/pf-mismatch", ["-X", "PUT"], .preflightAllowOriginMismatch),
            ("/pf-wildcard", ["-X", "PUT", "--credentials", "include"], .preflightWildcardOriginWithCredentials),
            ("/pf-credentials", ["-X", "PUT", "--credentials", "include"], .preflightAllowCredentialsNotTrue),
            ("/pf-status", ["-X", "PUT"], .preflightInvalidStatus),
            ("/pf-redirect", ["-X", "PUT"], .preflightRedirect),
            ("/pf-bad-methods", ["-X", "PUT"], .invalidAllowMethods),
            ("/pf-bad-headers", ["-H", "X-A: 1"], .invalidAllowHeaders),
            ("/pf-method", ["-X", "PUT"], .methodNotAllowed),
            ("/pf-header", ["-H", "X-A: 1"], .headerNotAllowed),
            (
                "/pf-authorization", ["-H", "Authorization: Bearer x", "--browser", "spec"],
                .authorizationNotCoveredByWildcard
            ),
            ("/pf-authorization", ["-H", "Authorization: Bearer x"], nil),
            ("/redirect-ftp", [], .redirectToNonHTTPScheme), ("/redirect-userinfo", [], .redirectContainsCredentials),
            ("/loop", [], .tooManyRedirects), ("/bad-location", [], .invalidRedirectLocation),
            ("/ok", ["-X", "TRACE"], .forbiddenMethod),
        ] as [(String, [String], CORSFailure?)])
    func catalogue(path: String, arguments: [String], expected: CORSFailure?) async throws {
        let server = try await CatalogueServer.start()
        let (output, exitCode) = try await Self.run(
            [server.origin + path, "--origin", CatalogueServer.pageOrigin, "--json"] + arguments)
        try await server.shutdown()
        #expect(exitCode == (expected == nil ? 0 : 1))
        #expect(!output.contains("\n"), "one JSON object")
        let object = try #require(jsonObject(output))
        #expect(object["allowed"] as? Bool == (expected == nil))
        if let expected {
            #expect((object["failure"] as? [String: Any])?["id"] as? String == expected.code)
        } else {
            #expect(object["failure"] is NSNull)
        }
    }

    /// `--repeat`: one browser session, so the second fetch finds the first one's preflight in the cache — or not,
    /// as the engine decides (Firefox never reuses a cached `*`).
    @Test func repeatShowsThePreflightCache() async throws {
        let server = try await CatalogueServer.start()
        let base = server.origin
        let origin = CatalogueServer.pageOrigin
        let cached = try #require(
            jsonObject(
                try await Self.run([base + "/ok-preflight", "--origin", origin, "-X", "PUT", "--repeat", "2", "--json"])
                    .output))
        #expect(cached["preflightsSent"] as? Int == 1 && cached["preflightsFromCache"] as? Int == 1)
        #expect((cached["fetches"] as? [Any])?.count == 2 && cached["allowed"] as? Bool == true)
        let wildcard = [base + "/pf-authorization", "--origin", origin, "-H", "X-A: 1", "--repeat", "2"]
        let chromium = try #require(jsonObject(try await Self.run(wildcard + ["--json"]).output))
        #expect(chromium["preflightsSent"] as? Int == 1, "a cached * covers x-a")
        let firefox = try #require(
            jsonObject(try await Self.run(wildcard + ["--browser", "firefox", "--json"]).output))
        #expect(firefox["preflightsSent"] as? Int == 2 && firefox["preflightsFromCache"] as? Int == 0)
        let text = try await Self.run(wildcard + ["--browser", "firefox"])
        #expect(text.exitCode == 0 && text.output.contains("── fetch 2 of 2 ──"))
        #expect(
            text.output.contains("2 fetches as firefox would make them: 2 readable; 2 preflights sent, 0 taken from"))
        // Chromium does not look in its preflight cache for a reload (DevTools' hard reload); WebKit does.
        let reload = [base + "/ok-preflight", "--origin", origin, "-X", "PUT", "--repeat", "2", "--cache", "reload"]
        let reloaded = try await Self.run(reload)
        #expect(reloaded.output.contains("With cache mode `reload`, chromium does not look in its preflight cache."))
        #expect(reloaded.output.contains("2 preflights sent, 0 taken from"))
        let webkit = try #require(jsonObject(try await Self.run(reload + ["--browser", "webkit", "--json"]).output))
        #expect(webkit["preflightsSent"] as? Int == 1 && webkit["preflightsFromCache"] as? Int == 1)
        for bad in [["--repeat", "0"], ["--repeat", "21"], ["--repeat", "2", "--wait", "-1"], ["--cache", "x"]] {
            #expect(throws: (any Error).self) {
                _ = try CORSCommand.parseAsRoot(["check", base, "--origin", origin] + bad)
            }
        }
        try await server.shutdown()
    }

    @Test func jsonFields() async throws {
        let server = try await CatalogueServer.start()
        let (output, _) = try await Self.run(
            [
                server.origin + "/ok-preflight", "--origin", CatalogueServer.pageOrigin, "-X", "PUT", "-H", "X-A: 1",
                "--json",
            ])
        try await server.shutdown()
        let object = try #require(jsonObject(output))
        #expect(object["allowed"] as? Bool == true && object["type"] as? String == "cors")
        let preflight = try #require(object["preflight"] as? [String: Any])
        #expect(preflight["sent"] as? Bool == true)
        #expect((preflight["request"] as? [String: Any])?["method"] as? String == "OPTIONS")
        #expect((object["response"] as? [String: Any])?["status"] as? Int == 200)
        #expect(object["exposedHeaders"] as? [String] == ["content-length", "content-type", "x-total-count"])
        #expect(object["failure"] is NSNull)
        #expect((object["requests"] as? [Any])?.count == 2)
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.first?["kind"] as? String == "note" && steps.first?["passed"] is NSNull)
        #expect(steps.contains { $0["kind"] as? String == "check" && $0["passed"] as? Bool == true })
    }

    @Test func humanOutputShowsTheConversationAndTheFix() async throws {
        let server = try await CatalogueServer.start()
        let (allowed, _) = try await Self.run(
            [server.origin + "/ok-preflight", "--origin", CatalogueServer.pageOrigin, "-X", "PUT", "-H", "X-A: 1"])
        let (blocked, code) = try await Self.run(
            [server.origin + "/pf-method", "--origin", CatalogueServer.pageOrigin, "-X", "PUT"])
        try await server.shutdown()
        #expect(allowed.contains("→ OPTIONS \(server.origin)/ok-preflight   (preflight)"))
        #expect(allowed.contains("  Access-Control-Request-Headers: x-a"))
        #expect(allowed.contains("← 204 No Content"))
        #expect(allowed.contains("✓ Access-Control-Allow-Methods allows PUT."))
        #expect(allowed.contains("ALLOWED: the page can read the response (status 200"))
        #expect(!allowed.contains("\u{1B}["), "no colour when asked for none")
        #expect(code == 1)
        #expect(
            blocked.contains("✗ The method is not in the preflight's Access-Control-Allow-Methods. Received: `PUT`."))
        #expect(blocked.contains("BLOCKED: The method is not in the preflight's Access-Control-Allow-Methods."))
        #expect(blocked.contains("Chromium: MethodDisallowedByPreflightResponse · Firefox: CORSMethodNotFound"))
        #expect(blocked.contains("Fix: Add the method to Access-Control-Allow-Methods"))
    }

    @Test func exitCodes() async throws {
        let server = try await ScriptedServer.start { _ in ScriptedResponse() }
        let closed = server.origin
        try await server.shutdown()
        #expect(try await Self.run([closed + "/", "--origin", "https://a.example", "--timeout", "1"]).exitCode == 2)
        #expect(try await Self.run(["not a url", "--origin", "https://a.example"]).exitCode == 2)
        for bad in [
            ["http://x/", "--origin", "https://a.example/"], ["http://x/", "--origin", "null"],
            ["http://x/", "--origin", "https://a.example", "-H", "no colon"],
            ["http://x/", "--origin", "https://a.example", "--browser", "lynx"],
            ["http://x/", "--origin", "https://a.example", "--credentials", "always"], ["http://x/"],
        ] {
            #expect(throws: (any Error).self) { try CORSCommand.parseAsRoot(["check"] + bad) }
            do {
                _ = try CORSCommand.parseAsRoot(["check"] + bad)
            } catch {
                #expect(CORSCommand.exitCode(for: error).rawValue == 64, "\(bad)")
            }
        }
    }
}
