package import ArgumentParser
import CORSAudit
import CORSCore
import HTTPTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cors audit`: find CORS misconfigurations, judged by the browser model.
package struct Audit: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Probe URLs from crafted origins and report every CORS misconfiguration a browser would let through.",
        discussion: """
            Each probe (an unrelated origin, null, prefix/suffix/substring tricks on the trusted origins, an unescaped \
            regex dot, special characters, any subdomain, http: variants, third-party hosting, other ports) is judged \
            by the browser model: could a page on that origin read the response, with the user's credentials or \
            without? Responses are also checked for `*`, missing `Vary: Origin`, and preflights that approve anything.

            Finding ids: reflects-any-origin, trusts-null-origin, prefix-match, suffix-match, substring-match, \
            unescaped-dot, special-chars, any-subdomain, insecure-origin-trusted, wildcard-with-credentials, wildcard, \
            missing-vary, preflight-allows-any-method, preflight-allows-any-header, third-party-origin, port-variant.

            Exit status: 0 no finding at or above --fail-on, 1 there is one, 2 a target could not be audited, 64 usage.

            Examples:
              cors audit https://api.example.com/me --origin https://app.example.com
              cors audit --targets urls.txt --origin https://app.example.com --sarif > cors.sarif
            """
    )

    @Argument(help: "The URL to audit (or use --targets).")
    var url: String?

    @Option(name: .customLong("origin"), help: "An origin the site is meant to trust (repeatable).")
    var origins: [String] = []

    @OptionGroup var request: RequestOptions

    @Option(help: "A file of URLs, one a line (blank lines and # comments ignored).")
    var targets: String?

    @Option(help: "How many targets to audit at once.")
    var concurrency: Int = 4

    @OptionGroup var timeout: TimeoutOption

    @OptionGroup var output: OutputOptions

    @Flag(help: "Print SARIF 2.1.0.")
    var sarif = false

    @Option(help: "Exit 1 when a finding is at least this severe: high, medium, low or info.")
    var failOn: Finding.Severity = .high

    package init() {}

    package func validate() throws {
        guard (url == nil) != (targets == nil) else { throw ValidationError("give a URL or --targets FILE, not both") }
        guard !(output.json && sarif) else { throw ValidationError("--json and --sarif cannot be used together") }
        guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 32") }
        for origin in origins { _ = try validatedOrigin(origin, option: "--origin") }
    }

    func targetList() throws -> [String] {
        if let url { return [url] }
        guard let path = targets, let file = fopen(path, "r") else {
            throw ValidationError("--targets: cannot read \(targets ?? "")")
        }
        defer { fclose(file) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 8192)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .filter { $0 != "\n" && $0 != "\r" }
            let trimmed = line.drop(while: { $0 == " " })
            if !trimmed.isEmpty, !trimmed.hasPrefix("#") { lines.append(String(trimmed)) }
        }
        return lines
    }

    package func run() async throws {
        let (output, code) = try await execute(progress: isatty(STDERR_FILENO) != 0 && targets != nil)
        print(output)
        if code != 0 { throw ExitCode(code) }
    }

    /// Audits every target and returns the report and the exit status.
    func execute(progress: Bool = false) async throws -> (output: String, exitCode: Int32) {
        let urls = try targetList()
        let fields = try request.headerFields()
        let auditor = Auditor(timeoutSeconds: timeout.timeout)
        let method = request.requestMethod
        let trusted = origins
        var reports: [Int: Auditor.Report] = [:]
        try await withThrowingTaskGroup(of: (Int, Auditor.Report).self) { group in
            var next = 0
            func schedule() {
                guard next < urls.count else { return }
                let index = next
                next += 1
                group.addTask { [fields] in
                    (index, await auditor.audit(urls[index], trusted: trusted, method: method, headers: fields))
                }
            }
            for _ in 0..<min(concurrency, urls.count) { schedule() }
            for try await (index, report) in group {
                reports[index] = report
                if progress { Self.progress(done: reports.count, of: urls.count) }
                schedule()
            }
        }
        if progress { Self.writeError("\n") }
        try await auditor.shutdown()
        let ordered = urls.indices.compactMap { reports[$0] }
        let output: String
        if sarif {
            output = AuditReport.sarif(ordered)
        } else if self.output.json {
            output = AuditReport.json(ordered)
        } else {
            output = AuditReport.text(ordered)
        }
        let failing = ordered.contains { $0.findings.contains { $0.severity >= failOn } }
        let broken = ordered.contains { $0.error != nil }
        return (output, broken ? 2 : failing ? 1 : 0)
    }

    static func progress(done: Int, of total: Int) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        writeError(
            "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                + "] \(done)/\(total)")
    }

    static func writeError(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

extension Finding.Severity: ExpressibleByArgument {}
