import CORSAudit
import CORSCore
import CORSTestSupport
import HTTPTypes
import Testing

let trusted = "https://app.example.com"

/// A server whose CORS check is `allows`; it answers preflights and actual requests from the same check.
func bedServer(
    allows: @escaping @Sendable (String) -> Bool, vary: Bool = true, credentials: Bool = true,
    preflightMethods: String? = "GET, POST", preflightHeaders: String? = "content-type", star: Bool = false
) async throws -> ScriptedServer {
    try await ScriptedServer.start { request in
        let origin = request.headerFields[.origin] ?? ""
        var headers: [(String, String)] = []
        if star {
            headers.append(("Access-Control-Allow-Origin", "*"))
            if credentials { headers.append(("Access-Control-Allow-Credentials", "true")) }
        } else if !origin.isEmpty, allows(origin) {
            headers.append(("Access-Control-Allow-Origin", origin))
            if credentials { headers.append(("Access-Control-Allow-Credentials", "true")) }
        }
        if vary, !star { headers.append(("Vary", "Origin")) }
        if request.method == "OPTIONS" {
            let method = request.headerFields[.accessControlRequestMethod] ?? ""
            let names = request.headerFields[.accessControlRequestHeaders] ?? ""
            headers.append(("Access-Control-Allow-Methods", preflightMethods ?? method))
            headers.append(("Access-Control-Allow-Headers", preflightHeaders ?? names))
            return ScriptedResponse(204, headers)
        }
        return ScriptedResponse(200, headers + [("Content-Type", "application/json")], body: #"{"balance":100}"#)
    }
}

/// Our own engine, as a correct configuration.
func policyServer() async throws -> ScriptedServer {
    let policy = try CORSPolicy(
        allowOrigins: [trusted], allowMethods: ["PUT"], allowHeaders: ["content-type"], allowCredentials: true)
    return try await ScriptedServer.start { request in
        var fields = request.headerFields
        fields[HTTPField.Name("Host")!] = nil
        let head = HTTPRequest(
            method: HTTPRequest.Method(request.method) ?? .get, scheme: "http", authority: "bed", path: request.target,
            headerFields: fields)
        let decision = policy.evaluate(head)
        var response = decision.immediateResponse ?? HTTPResponse(status: .ok)
        if decision.kind != .preflight { decision.apply(to: &response.headerFields) }
        return ScriptedResponse(
            Int(response.status.code), response.headerFields.map { ($0.name.rawName, $0.value) },
            body: decision.kind == .preflight ? "" : "{}")
    }
}

func host(_ origin: String) -> String {
    String(origin.split(separator: "://").last ?? "").split(separator: ":").first.map(String.init) ?? ""
}

@Suite("cors audit: a test bed of misconfigured and correct servers", .serialized)
struct AuditTestBed {
    static let cases: [(String, @Sendable () async throws -> ScriptedServer, [Finding.ID])] = [
        ("reflects any origin", { try await bedServer(allows: { $0 != "null" }) }, [.reflectsAnyOrigin]),
        ("trusts null", { try await bedServer(allows: { $0 == "null" || $0 == trusted }) }, [.trustsNullOrigin]),
        ("prefix match", { try await bedServer(allows: { $0.hasPrefix(trusted) }) }, [.prefixMatch]),
        ("suffix match", { try await bedServer(allows: { $0.hasSuffix("example.com") }) }, [.suffixMatch]),
        ("substring match", { try await bedServer(allows: { $0.contains("example.com") }) }, [.substringMatch]),
        (
            "unescaped regex dot",
            {
                try await bedServer(allows: { origin in
                    origin.count == trusted.count
                        && zip(origin, trusted).allSatisfy { $0 == $1 || $1 == "." }
                })
            }, [.unescapedDot]
        ),
        (
            "special-character parser trick",
            {
                try await bedServer(allows: { origin in
                    String(origin.prefix { $0.isLetter || $0.isNumber || ".:/-".contains($0) }) == trusted
                })
            }, [.specialChars]
        ),
        (
            "any subdomain",
            {
                try await bedServer(allows: {
                    $0.hasPrefix("https://") && !$0.dropFirst(8).contains(":")
                        && (host($0) + "/").hasSuffix(".example.com/")
                })
            },
            [.anySubdomain]
        ),
        (
            "http origin trusted", { try await bedServer(allows: { $0 == trusted || $0 == "http://app.example.com" }) },
            [.insecureOriginTrusted]
        ),
        ("* with credentials", { try await bedServer(allows: { _ in false }, star: true) }, [.wildcardWithCredentials]),
        ("dynamic ACAO without Vary", { try await bedServer(allows: { $0 == trusted }, vary: false) }, [.missingVary]),
        (
            "preflight allows any method",
            { try await bedServer(allows: { $0 == trusted }, preflightMethods: nil) }, [.preflightAllowsAnyMethod]
        ),
        (
            "preflight allows any header",
            { try await bedServer(allows: { $0 == trusted }, preflightHeaders: nil) }, [.preflightAllowsAnyHeader]
        ),
        (
            "third-party hosting",
            { try await bedServer(allows: { $0 == trusted || host($0).hasSuffix(".github.io") }) }, [.thirdPartyOrigin]
        ),
        (
            "any port", { try await bedServer(allows: { $0.hasPrefix("https://") && host($0) == "app.example.com" }) },
            [.portVariant]
        ),
        // Correct configurations: nothing to report (`*` on public data is only `info`).
        ("exact allow-list", { try await bedServer(allows: { $0 == trusted }) }, []),
        ("no CORS at all", { try await bedServer(allows: { _ in false }) }, []),
        ("swift-cors policy", { try await policyServer() }, []),
        (
            "public * without credentials",
            { try await bedServer(allows: { _ in false }, credentials: false, star: true) }, [.wildcard]
        ),
    ]

    @Test(arguments: Self.cases.indices)
    func bed(index: Int) async throws {
        let (name, start, expected) = Self.cases[index]
        let server = try await start()
        let auditor = Auditor(timeoutSeconds: 5)
        let report = await auditor.audit(server.origin + "/account", trusted: [trusted])
        try await auditor.shutdown()
        try await server.shutdown()
        #expect(report.error == nil)
        #expect(
            report.findings.map(\.id) == expected,
            "\(name): \(report.findings.map { "\($0.id.code) from \($0.origin)" })")
        print(
            "audit test bed — \(name): \(report.findings.map { "\($0.id.code) [\($0.severity.rawValue)]" }.joined(separator: ", ").isEmpty ? "no finding" : report.findings.map { "\($0.id.code) [\($0.severity.rawValue)]" }.joined(separator: ", "))"
        )
    }

    @Test func severityFollowsCredentials() async throws {
        let withCredentials = try await bedServer(allows: { $0 != "null" })
        let without = try await bedServer(allows: { $0 != "null" }, credentials: false)
        let auditor = Auditor(timeoutSeconds: 5)
        let high = await auditor.audit(withCredentials.origin + "/", trusted: [trusted])
        let medium = await auditor.audit(without.origin + "/", trusted: [trusted])
        try await auditor.shutdown()
        try await withCredentials.shutdown()
        try await without.shutdown()
        #expect(high.findings.first?.severity == .high && high.findings.first?.credentialsAllowed == true)
        #expect(medium.findings.first?.severity == .medium && medium.findings.first?.credentialsAllowed == false)
        #expect(high.findings.first?.evidence.contains("Access-Control-Allow-Credentials: true") == true)
    }

    @Test func unreachableTarget() async throws {
        let auditor = Auditor(timeoutSeconds: 1)
        let report = await auditor.audit("http://127.0.0.1:1/", trusted: [trusted])
        try await auditor.shutdown()
        #expect(report.error != nil && report.findings.isEmpty)
    }
}
