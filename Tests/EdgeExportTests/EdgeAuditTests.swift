import CORSAudit
import CORSCore
import CORSExport
import CORSGateway
import CORSTestSupport
import Foundation
import HTTPTypes
import Testing

/// `cors audit` finds the same in an exported configuration as in the policy served by the engine itself: nothing a
/// correct policy would not have, and every finding the policy has (`*` is still reported, in both).
@Suite("cors audit finds nothing in an exported configuration that the policy itself does not have")
struct EdgeAuditTests {
    static let policies = ["examples/policy.json", "examples/spa-with-cookies.json", "examples/public-api.json"]

    /// The policy served by `evaluate`, with a body for actual requests.
    static func engineServer(_ policy: CORSPolicy) async throws -> ScriptedServer {
        try await ScriptedServer.start { request in
            var fields = request.headerFields
            fields[HTTPField.Name("Host")!] = nil
            let head = HTTPRequest(
                method: HTTPRequest.Method(request.method) ?? .get, scheme: "http", authority: "engine",
                path: request.target, headerFields: fields)
            let decision = policy.evaluate(head)
            var response = decision.immediateResponse ?? HTTPResponse(status: .ok)
            if response.status == .ok { decision.apply(to: &response.headerFields) }
            return ScriptedResponse(
                response.status.code, response.headerFields.map { ($0.name.rawName, $0.value) }, body: "{}")
        }
    }

    @Test(arguments: EdgeTarget.allCases)
    func exportedConfigurationAuditsAsTheEngine(_ kind: EdgeTarget) async throws {
        guard try kind.isAvailable() else { return }
        let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [], body: "{}") }
        let auditor = Auditor(timeoutSeconds: 5)
        var seen: Set<String> = []
        for file in Self.policies {
            let policy = try PolicyFile(contentsOf: file).policy
            let trusted = policy.allowedOrigins(forPath: "/x").first { !$0.serialization.contains("*") }
            let engine = try await Self.engineServer(policy)
            let edge = try await EdgeServer.start(kind) { port in
                kind.server(policy, source: file, listen: "127.0.0.1:\(port)", upstream: upstream.origin)
            }
            for path in ["/api/items", "/public/items"] {
                for method in [HTTPRequest.Method.get, .put] {
                    let origins = trusted.map { [$0.serialization] } ?? []
                    let expected = await auditor.audit(engine.origin + path, trusted: origins, method: method)
                    let observed = await auditor.audit(edge.origin + path, trusted: origins, method: method)
                    #expect(observed.error == nil && expected.error == nil)
                    seen.formUnion(expected.findings.map(\.id.description))
                    #expect(
                        observed.findings.map(\.id.description).sorted()
                            == expected.findings.map(\.id.description).sorted(),
                        "\(kind.rawValue) \(file) \(method) \(path)")
                }
            }
            edge.stop()
            try await engine.shutdown()
        }
        // The public API answers `*`, a finding of its own: an export that lost it would be caught.
        #expect(seen.contains("wildcard"), "\(seen)")
        try await auditor.shutdown()
        try await upstream.shutdown()
    }
}
