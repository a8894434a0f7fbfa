import ArgumentParser
import CORSCore
import CORSGateway
import CORSTestSupport
import Foundation
import Testing

@testable import CORSCommandLine

@Suite("cors lint")
struct LintTests {
    static func lint(_ json: String, asJSON: Bool = false) -> (output: String, exitCode: Int32) {
        Lint.report(file: "p.json", diagnostics: CORSPolicy.diagnostics(json: json), json: asJSON)
    }

    @Test func validPolicyExitsZero() {
        let result = Self.lint(#"{"allowOrigins": ["https://a.example"]}"#)
        #expect(result == ("p.json: valid", 0))
    }

    @Test func problemsExitOneAndShowCodePathAndFix() {
        let result = Self.lint(#"{"allowOrigins": ["https://a.example/"], "maxAge": 99999}"#)
        #expect(result.exitCode == 1)
        #expect(result.output.contains("p.json: 2 problems"))
        #expect(result.output.contains("allowOrigins[0]: `https://a.example/` [origin-trailing-slash]"))
        #expect(result.output.contains("fix: remove the trailing `/`"))
        #expect(result.output.contains("maxAge: `99999` [max-age-out-of-range]"))
    }

    @Test func syntaxErrorExitsTwo() {
        let result = Self.lint("{\"allowOrigins\": [}")
        #expect(result.exitCode == 2)
        #expect(result.output.contains("line 1, column 19"))
    }

    @Test func jsonOutputIsOneObject() throws {
        let result = Self.lint(#"{"allowOrigins": ["null"]}"#, asJSON: true)
        #expect(result.exitCode == 1)
        #expect(!result.output.contains("\n"))
        let object = try #require(jsonObject(result.output))
        #expect(object["file"] as? String == "p.json" && object["valid"] as? Bool == false)
        let diagnostic = try #require((object["diagnostics"] as? [[String: Any]])?.first)
        #expect(diagnostic["code"] as? String == "null-origin" && diagnostic["path"] as? String == "allowOrigins[0]")
        #expect(diagnostic["value"] as? String == "null" && diagnostic["fix"] is String)
    }

    @Test func argumentsParse() throws {
        let command = try CORSCommand.parseAsRoot(["lint", "--json", "policy.json"])
        let lint = try #require(command as? Lint)
        #expect(lint.file == "policy.json" && lint.json)
        #expect(throws: (any Error).self) { try CORSCommand.parseAsRoot(["lint"]) }
    }

    @Test func jsonStringEscaping() {
        #expect(JSONOutput.encode(["k": "a\"b\\c\n\u{01}é/"]) == #"{"k":"a\"b\\c\n\u0001é/"}"#)
    }
}
