package import ArgumentParser
import CORSCore
import CORSGateway

/// `cors lint FILE`: every problem in a policy file, with its code, JSON path, value and fix.
package struct Lint: ParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Check a CORS policy file and list every problem in it.",
        discussion: """
            Each problem has a stable code (such as `origin-trailing-slash` or `wildcard-origin-with-credentials`),
            the JSON path of the offending value, and the fix.

            Exit status: 0 the policy is valid, 1 it has problems, 2 the file cannot be read or is not JSON.

            Examples:
              cors lint examples/policy.json
              cors lint --json policy.json | jq '.diagnostics[].code'
            """
    )

    @Argument(help: "The policy file (JSON).")
    package var file: String

    @Flag(help: "Print one JSON object: {file, valid, diagnostics: [{code, path, value, message, fix}]}.")
    package var json = false

    package init() {}

    package func run() throws {
        let report = Self.report(file: file, diagnostics: PolicyFile.diagnostics(contentsOf: file), json: json)
        print(report.output)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The text or JSON report and the exit status for `diagnostics` found in `file`.
    static func report(file: String, diagnostics: [PolicyDiagnostic], json: Bool) -> (output: String, exitCode: Int32) {
        let unreadable = diagnostics.contains { $0.code == .unreadableFile || $0.code == .invalidJSON }
        let exitCode: Int32 = diagnostics.isEmpty ? 0 : (unreadable ? 2 : 1)
        if json {
            let items = diagnostics.map { diagnostic in
                JSONText.object([
                    ("code", JSONText.string(diagnostic.code.code)),
                    ("path", JSONText.string(diagnostic.path)),
                    ("value", diagnostic.value.map(JSONText.string) ?? "null"),
                    ("message", JSONText.string(diagnostic.message)),
                    ("fix", diagnostic.fix.map(JSONText.string) ?? "null"),
                ])
            }
            let output = JSONText.object([
                ("file", JSONText.string(file)),
                ("valid", diagnostics.isEmpty ? "true" : "false"),
                ("diagnostics", "[" + items.joined(separator: ",") + "]"),
            ])
            return (output, exitCode)
        }
        guard !diagnostics.isEmpty else { return ("\(file): valid", 0) }
        var lines = ["\(file): \(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s")"]
        for diagnostic in diagnostics {
            let location = diagnostic.path.isEmpty ? "" : diagnostic.path + ": "
            let value = diagnostic.value.map { "`\($0)` " } ?? ""
            lines.append("  \(location)\(value)[\(diagnostic.code.code)]")
            lines.append("    \(diagnostic.message)")
            if let fix = diagnostic.fix { lines.append("    fix: \(fix)") }
        }
        return (lines.joined(separator: "\n"), exitCode)
    }
}
