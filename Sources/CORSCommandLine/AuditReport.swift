import CORSAudit
import CORSCore
import CORSGateway

/// How `cors audit` prints its reports: text, one JSON document, or SARIF 2.1.0.
enum AuditReport {
    static func text(_ reports: [Auditor.Report]) -> String {
        var lines: [String] = []
        for report in reports {
            if let error = report.error {
                lines.append("\(report.target): could not audit: \(error)")
                continue
            }
            lines.append(
                "\(report.target): \(report.findings.isEmpty ? "no finding" : "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s")")"
            )
            for finding in report.findings {
                lines.append(
                    "  [\(finding.severity.rawValue.uppercased())] \(finding.id.code) — from \(finding.origin)"
                        + (finding.credentialsAllowed ? ", with credentials" : ""))
                lines.append("    \(finding.id.summary)")
                lines += finding.evidence.map { "      " + $0 }
                lines.append("    fix: \(finding.id.fix)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One document for one target, or `{"targets": [...]}` for several.
    static func json(_ reports: [Auditor.Report]) -> String {
        let documents = reports.map(TargetJSON.init)
        return documents.count == 1 ? JSONOutput.encode(documents[0]) : JSONOutput.encode(["targets": documents])
    }

    /// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/): one run, one rule per finding id.
    static func sarif(_ reports: [Auditor.Report]) -> String {
        JSONOutput.encode(SARIF(reports))
    }
}

/// `cors audit --json`: a target, why it could not be audited (or `null`), and its findings.
struct TargetJSON: Encodable {
    struct FindingJSON: Encodable {
        let id: String
        let severity: String
        let origin: String
        let credentials: Bool
        let summary: String
        let fix: String
        let evidence: [String]
    }

    let target: String
    let error: OrNull<String>
    let findings: [FindingJSON]

    init(_ report: Auditor.Report) {
        target = report.target
        error = OrNull(report.error)
        findings = report.findings.map {
            FindingJSON(
                id: $0.id.code, severity: $0.severity.rawValue, origin: $0.origin, credentials: $0.credentialsAllowed,
                summary: $0.id.summary, fix: $0.id.fix, evidence: $0.evidence)
        }
    }
}

/// The SARIF 2.1.0 log `cors audit --sarif` prints, with only the properties it fills.
struct SARIF: Encodable {
    struct Text: Encodable { let text: String }
    struct Rule: Encodable {
        let id: String
        let shortDescription: Text
        let help: Text
    }
    struct Driver: Encodable {
        let name = "cors audit"
        let informationUri = "https://github.com/swift-cors"
        let rules: [Rule]
    }
    struct Tool: Encodable { let driver: Driver }
    struct ArtifactLocation: Encodable { let uri: String }
    struct PhysicalLocation: Encodable { let artifactLocation: ArtifactLocation }
    struct Location: Encodable { let physicalLocation: PhysicalLocation }
    struct Properties: Encodable { let severity: String }
    struct Result: Encodable {
        let ruleId: String
        let level: String
        let message: Text
        let locations: [Location]
        let properties: Properties
    }
    struct Run: Encodable {
        let tool: Tool
        let results: [Result]
    }

    let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    let version = "2.1.0"
    let runs: [Run]

    private enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    init(_ reports: [Auditor.Report]) {
        func level(_ severity: Finding.Severity) -> String {
            switch severity {
            case .high: return "error"
            case .medium: return "warning"
            case .low, .info: return "note"
            }
        }
        let rules = Finding.ID.allCases.map {
            Rule(id: $0.code, shortDescription: Text(text: $0.summary), help: Text(text: $0.fix))
        }
        let results = reports.flatMap { report in
            report.findings.map { finding in
                Result(
                    ruleId: finding.id.code, level: level(finding.severity),
                    message: Text(
                        text: "\(finding.id.summary) Probe origin: \(finding.origin)"
                            + (finding.credentialsAllowed ? " (readable with credentials)." : ".")),
                    locations: [
                        Location(
                            physicalLocation: PhysicalLocation(artifactLocation: ArtifactLocation(uri: report.target)))
                    ],
                    properties: Properties(severity: finding.severity.rawValue))
            }
        }
        runs = [Run(tool: Tool(driver: Driver(rules: rules)), results: results)]
    }
}
