import CORSCore
import CORSExport
import CORSTestSupport
import Testing

extension RealBrowsers {
    /// The generated route policies of ``PolicyAgreementTests``, exported with `cors export` and served by real nginx and
    /// Caddy in front of an upstream that knows nothing of CORS: real Chromium must allow exactly what each route means.
    @Suite("Real Chromium allows exactly what an exported policy means", .enabled(if: Chromium.shouldRun), .serialized)
    struct EdgeAgreementTests {
        static let requestCount = 600

        @Test(arguments: EdgeTarget.allCases)
        func chromiumAllowsExactlyWhatTheExportedPolicyMeans(_ kind: EdgeTarget) async throws {
            guard try kind.isAvailable() else { return }
            let harness = try await Harness.start()
            var rng = SeededGenerator(seed: kind == .nginx ? 0xED_6E01 : 0xED_6E02)
            let routes = PolicyAgreementTests.routes(origins: harness.origins, rng: &rng)
            let policy = try CORSPolicy(
                CORSPolicy.Configuration(allowOrigins: ["https://nobody.example"], routes: routes.map(\.configuration)))
            let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [("X-Custom", "1")], body: "ok")
            }
            let server = try await EdgeServer.start(kind) { port in
                kind.server(policy, source: "generated routes", listen: "127.0.0.1:\(port)", upstream: upstream.origin)
            }
            let (agree, total, allowed) = try await PolicyAgreementTests.agreement(
                harness: harness, routes: routes, app: server.origin, seed: rng.next(), requestCount: Self.requestCount)
            server.stop()
            try await upstream.shutdown()
            try await harness.shutdown()
            print(
                "edge conformance: \(kind.version): \(total) requests against \(routes.count) generated policies exported "
                    + "for \(kind.rawValue); Chromium agrees with the policy on \(agree)/\(total) (\(allowed) allowed)")
        }
    }
}
