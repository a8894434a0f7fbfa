import ArgumentParser
import CORSTestSupport
import Foundation
import Testing

@testable import CORSCommandLine

@Suite("cors export")
struct ExportTests {
    static func run(_ arguments: [String]) throws -> (output: String, exitCode: Int32) {
        let command = try #require(try CORSCommand.parseAsRoot(["export"] + arguments) as? Export)
        return command.execute()
    }

    static func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "export-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `examples/edge/` holds the README's example policy exported for both targets, as a reader would write it
    /// (`CORS_WRITE_EXAMPLES=1` writes them again); the committed files must be what the command writes now.
    @Test(arguments: [("nginx", "nginx.conf"), ("caddy", "Caddyfile")])
    func examplesAreCurrent(target: String, file: String) throws {
        let result = try Self.run([target, "examples/policy.json", "--upstream", "http://127.0.0.1:3000"])
        #expect(result.exitCode == 0)
        let path = "examples/edge/" + file
        if ProcessInfo.processInfo.environment["CORS_WRITE_EXAMPLES"] == "1" {
            try result.output.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == result.output, "run CORS_WRITE_EXAMPLES=1")
    }

    @Test func fragmentsSayWhereEachPartGoes() throws {
        let nginx = try Self.run(["nginx", "examples/policy.json"])
        #expect(nginx.exitCode == 0)
        #expect(nginx.output.contains("# In the `http` block:") && nginx.output.contains("map $http_origin"))
        #expect(nginx.output.contains("add_header Vary $cors_vary_field always;"))
        #expect(!nginx.output.contains("proxy_pass"))
        let caddy = try Self.run(["caddy", "examples/policy.json"])
        #expect(caddy.exitCode == 0 && caddy.output.contains("route {") && !caddy.output.contains("reverse_proxy 1"))
    }

    @Test func jsonCarriesTheConfiguration() throws {
        let result = try Self.run(["nginx", "examples/public-api.json", "--json"])
        let object = try #require(jsonObject(result.output))
        #expect(object["target"] as? String == "nginx" && object["file"] as? String == "examples/public-api.json")
        #expect((object["configuration"] as? String)?.contains("\"~^r0\\|(?:.*)$\" \"*\";") == true)
        #expect(object["error"] is NSNull)
    }

    @Test func invalidPoliciesAreListedNotExported() throws {
        let path = try Self.write(#"{"allowOrigins": ["https://a.example/", "*"], "allowCredentials": true}"#)
        let result = try Self.run(["caddy", path])
        #expect(result.exitCode == 1)
        #expect(
            result.output.contains("[origin-trailing-slash]")
                && result.output.contains("[wildcard-origin-with-credentials]"))
        #expect(try Self.run(["nginx", "/nonexistent/policy.json"]).exitCode == 2)
    }

    /// A rule the target cannot carry is refused by name, never dropped.
    @Test func crossOriginProtectionIsRefused() throws {
        let path = try Self.write(
            #"{"allowOrigins": ["https://a.example"], "crossOriginProtection": {"trustedOrigins": ["https://a.example"]}}"#
        )
        let text = try Self.run(["nginx", path])
        #expect(text.exitCode == 1 && text.output.contains("crossOriginProtection cannot be exported"))
        let json = try #require(jsonObject(try Self.run(["caddy", path, "--json"]).output))
        #expect(
            (json["error"] as? String)?.contains("crossOriginProtection") == true && json["configuration"] is NSNull)
    }

    @Test func usageErrors() {
        for bad in [
            ["apache", "examples/policy.json"], ["nginx"],
            ["nginx", "examples/policy.json", "--upstream", "127.0.0.1:3000"],
            ["nginx", "examples/policy.json", "--upstream", "http://a", "--listen", "80; evil"],
        ] {
            #expect(throws: (any Error).self, "\(bad)") { _ = try CORSCommand.parseAsRoot(["export"] + bad) }
        }
    }
}
