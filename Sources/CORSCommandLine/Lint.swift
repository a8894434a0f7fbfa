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

    @OptionGroup var output: OutputOptions
    var json: Bool { output.json }

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
        if json { return (JSONOutput.encode(LintJSON(file: file, diagnostics: diagnostics)), exitCode) }
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

/// `cors lint --json`: the file, whether it is valid, and every problem.
struct LintJSON: Encodable {
    struct Diagnostic: Encodable {
        let code: String
        let path: String
        let value: OrNull<String>
        let message: String
        let fix: OrNull<String>
    }

    let file: String
    let valid: Bool
    let diagnostics: [Diagnostic]

    init(file: String, diagnostics: [PolicyDiagnostic]) {
        self.file = file
        valid = diagnostics.isEmpty
        self.diagnostics = diagnostics.map {
            Diagnostic(
                code: $0.code.code, path: $0.path, value: OrNull($0.value), message: $0.message, fix: OrNull($0.fix))
        }
    }
}
