import ArgumentParser
import CORSTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CORSCommandLine

@Suite("cors audit: output and exit codes")
struct AuditCommandTests {
    static func reflecting() async throws -> ScriptedServer {
        try await ScriptedServer.start { request in
            let origin = request.headerFields[.origin] ?? ""
            return ScriptedResponse(
                200,
                origin.isEmpty || origin == "null"
                    ? []
                    : [
                        ("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"),
                        ("Vary", "Origin"),
                    ])
        }
    }

    static func run(_ arguments: [String]) async throws -> (output: String, exitCode: Int32) {
        let command = try #require(try CORSCommand.parseAsRoot(["audit"] + arguments) as? Audit)
        return try await command.execute()
    }

    @Test func formatsAndExitCodes() async throws {
        let server = try await Self.reflecting()
        let url = server.origin + "/me"
        let text = try await Self.run([url, "--origin", "https://app.example.com"])
        #expect(text.exitCode == 1)
        #expect(
            text.output.contains("[HIGH] reflects-any-origin — from https://cors-audit-evil.example, with credentials"))
        let json = try await Self.run([url, "--origin", "https://app.example.com", "--json"])
        let document = try #require(jsonObject(json.output))
        #expect(document["target"] as? String == url && document["error"] is NSNull)
        let finding = try #require((document["findings"] as? [[String: Any]])?.first)
        #expect(finding["id"] as? String == "reflects-any-origin" && finding["severity"] as? String == "high")
        let sarif = try #require(jsonObject(try await Self.run([url, "--sarif"]).output))
        #expect(sarif["version"] as? String == "2.1.0")
        #expect(sarif["$schema"] as? String == "https://json.schemastore.org/sarif-2.1.0.json")
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        #expect(result["ruleId"] as? String == "reflects-any-origin" && result["level"] as? String == "error")
        #expect(try await Self.run([url, "--fail-on", "high"]).exitCode == 1)

        let list = NSTemporaryDirectory() + "targets-\(UUID().uuidString).txt"
        try "# targets\n\(url)\n\nhttp://127.0.0.1:1/\n".write(toFile: list, atomically: true, encoding: .utf8)
        let many = try await Self.run(["--targets", list, "--json", "--timeout", "1"])
        #expect(many.exitCode == 2, "one target could not be audited")
        let targets = try #require(jsonObject(many.output)?["targets"] as? [[String: Any]])
        #expect(targets.map { $0["target"] as? String } == [url, "http://127.0.0.1:1/"])
        try await server.shutdown()
    }

    @Test func usageErrors() {
        for bad in [
            [], ["http://x/", "--targets", "f"], ["http://x/", "--json", "--sarif"], ["http://x/", "--origin", "null"],
            ["http://x/", "--fail-on", "critical"],
        ] {
            do {
                _ = try CORSCommand.parseAsRoot(["audit"] + bad)
                Issue.record("\(bad) should not parse")
            } catch {
                #expect(CORSCommand.exitCode(for: error).rawValue == 64, "\(bad)")
            }
        }
    }
}
