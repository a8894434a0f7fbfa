import CORSAudit
import CORSCore

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

    static func findingJSON(_ finding: Finding) -> String {
        JSONText.object([
            ("id", JSONText.string(finding.id.code)), ("severity", JSONText.string(finding.severity.rawValue)),
            ("origin", JSONText.string(finding.origin)), ("credentials", finding.credentialsAllowed ? "true" : "false"),
            ("summary", JSONText.string(finding.id.summary)), ("fix", JSONText.string(finding.id.fix)),
            ("evidence", JSONText.array(finding.evidence.map(JSONText.string))),
        ])
    }

    static func json(_ reports: [Auditor.Report]) -> String {
        let documents = reports.map { report in
            JSONText.object([
                ("target", JSONText.string(report.target)), ("error", report.error.map(JSONText.string) ?? "null"),
                ("findings", JSONText.array(report.findings.map(findingJSON))),
            ])
        }
        return documents.count == 1 ? documents[0] : JSONText.object([("targets", JSONText.array(documents))])
    }

    /// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/): one run, one rule per finding id.
    static func sarif(_ reports: [Auditor.Report]) -> String {
        func level(_ severity: Finding.Severity) -> String {
            switch severity {
            case .high: return "error"
            case .medium: return "warning"
            case .low, .info: return "note"
            }
        }
        let rules = Finding.ID.allCases.map { id in
            JSONText.object([
                ("id", JSONText.string(id.code)),
                ("shortDescription", JSONText.object([("text", JSONText.string(id.summary))])),
                ("help", JSONText.object([("text", JSONText.string(id.fix))])),
            ])
        }
        let results = reports.flatMap { report in
            report.findings.map { finding in
                JSONText.object([
                    ("ruleId", JSONText.string(finding.id.code)),
                    ("level", JSONText.string(level(finding.severity))),
                    (
                        "message",
                        JSONText.object([
                            (
                                "text",
                                JSONText.string(
                                    "\(finding.id.summary) Probe origin: \(finding.origin)"
                                        + (finding.credentialsAllowed ? " (readable with credentials)." : "."))
                            )
                        ])
                    ),
                    (
                        "locations",
                        JSONText.array([
                            JSONText.object([
                                (
                                    "physicalLocation",
                                    JSONText.object([
                                        ("artifactLocation", JSONText.object([("uri", JSONText.string(report.target))]))
                                    ])
                                )
                            ])
                        ])
                    ),
                    ("properties", JSONText.object([("severity", JSONText.string(finding.severity.rawValue))])),
                ])
            }
        }
        return JSONText.object([
            ("$schema", JSONText.string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", JSONText.string("2.1.0")),
            (
                "runs",
                JSONText.array([
                    JSONText.object([
                        (
                            "tool",
                            JSONText.object([
                                (
                                    "driver",
                                    JSONText.object([
                                        ("name", JSONText.string("cors audit")),
                                        ("informationUri", JSONText.string("https://github.com/swift-cors")),
                                        ("rules", JSONText.array(rules)),
                                    ])
                                )
                            ])
                        ),
                        ("results", JSONText.array(results)),
                    ])
                ])
            ),
        ])
    }
}
