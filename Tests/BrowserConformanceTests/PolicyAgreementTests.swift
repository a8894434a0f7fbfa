import CORSCore
import CORSHummingbird
import CORSTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// One generated route policy and what it means, written from the policy's fields, not from `evaluate`.
struct GeneratedRoute {
    var configuration: CORSPolicy.Route
    var patterns: [OriginPattern]

    /// Whether the policy means to let a page on `page` read the response to this request.
    func intends(page: String, method: String, headers: [(String, String)], credentials: CredentialsMode) -> Bool {
        guard let origin = Origin(headerValue: page), patterns.contains(where: { $0.matches(origin) }) else {
            return false
        }
        let allowCredentials = configuration.allowCredentials ?? false
        if credentials == .include && !allowCredentials { return false }
        let normalized = HTTPRequest.Method(method)!.normalized
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let unsafeNames = Fetch.corsUnsafeRequestHeaderNames(fields)
        let methods = configuration.allowMethods ?? []
        let allowed = (configuration.allowHeaders ?? []).map { $0.lowercased() }
        let methodOK = normalized.isCORSSafelisted || methods.contains(normalized.rawValue) || methods.contains("*")
        let headersOK = unsafeNames.allSatisfy {
            allowed.contains($0) || (allowed.contains("*") && $0 != "authorization")
        }
        return methodOK && headersOK
    }
}

extension RealBrowsers {
    @Suite("Real Chromium allows exactly what a served policy means", .enabled(if: Chromium.shouldRun), .serialized)
    struct PolicyAgreementTests {
        static let routeCount = 60
        static let requestCount = 600

        static func routes(origins: [String], rng: inout SeededGenerator) -> [GeneratedRoute] {
            func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
            func subset(_ options: [String]) -> [String] { options.filter { _ in rng.next() % 2 == 0 } }
            return (0..<routeCount).map { index in
                let credentials = rng.next() % 2 == 0
                var origins = Array(Set([pick(origins), pick(origins)])).sorted()
                switch rng.next() % 6 {
                case 0 where !credentials: origins = ["*"]
                case 1: origins = ["http://localhost:*"]
                default: break
                }
                let route = CORSPolicy.Route(
                    pathPrefix: "/p\(index)", allowOrigins: origins,
                    allowMethods: subset(["PUT", "DELETE", "PATCH", "*"]),
                    allowHeaders: subset(["x-custom-request", "content-type", "authorization", "*"]),
                    exposeHeaders: credentials ? pick([[], ["x-custom"]]) : pick([[], ["x-custom"], ["*"]]),
                    allowCredentials: credentials, maxAge: pick([nil, 60]))
                return GeneratedRoute(configuration: route, patterns: origins.map { try! OriginPattern($0) })
            }
        }

        @Test func chromiumAllowsExactlyWhatThePolicyMeans() async throws {
            let harness = try await Harness.start()
            var rng = SeededGenerator(seed: 0x50_11C7)
            let routes = Self.routes(origins: harness.origins, rng: &rng)
            let policy = try CORSPolicy(
                CORSPolicy.Configuration(allowOrigins: ["https://nobody.example"], routes: routes.map(\.configuration)))
            let router = Router()
            router.add(middleware: CORSPolicyMiddleware(policy))
            for method in [HTTPRequest.Method.get, .post, .head, .put, .delete, .patch] {
                router.on("/**", method: method) { _, _ in Response(status: .ok, headers: [.init("X-Custom")!: "1"]) }
            }
            let application = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            let seed = rng.next()
            try await application.test(.live) { client in
                let (agree, total, allowed) = try await Self.agreement(
                    harness: harness, routes: routes, app: "http://127.0.0.1:\(client.port!)", seed: seed,
                    requestCount: Self.requestCount)
                print(
                    "policy conformance: \(total) requests against \(routes.count) generated policies; Chromium agrees with the policy on \(agree)/\(total) (\(allowed) allowed)"
                )
            }
            try await harness.shutdown()
        }

        /// Sends `requestCount` generated fetches from the harness's pages to `app`, which serves `routes` under `/p0`…,
        /// and checks that real Chromium allows exactly what each route means; returns (agreeing, total, allowed).
        static func agreement(
            harness: Harness, routes: [GeneratedRoute], app: String, seed: UInt64, requestCount: Int
        ) async throws -> (agree: Int, total: Int, allowed: Int) {
            var rng = SeededGenerator(seed: seed)
            func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
            var cases: [(ConformanceCase, Int)] = []
            for id in 0..<requestCount {
                var headers: [(String, String)] = []
                for _ in 0..<Int(rng.next() % 3) {
                    let header = pick(CaseGenerator.headerChoices)
                    if !headers.contains(where: { $0.0 == header.0 }) { headers.append(header) }
                }
                let item = ConformanceCase(
                    id: 100_000 + id, page: pick(harness.origins), target: app,
                    method: pick(["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH"]), headers: headers,
                    credentials: pick([.omit, .sameOrigin, .include]), preflight: ResponseSpec(), actual: ResponseSpec()
                )
                cases.append((item, Int(rng.next() % UInt64(routes.count))))
            }
            var results: [Int: [PageResult]] = [:]
            for page in harness.origins {
                let onPage = cases.filter { $0.0.page == page }
                for start in stride(from: 0, to: onPage.count, by: 120) {
                    let batch = Array(onPage[start..<min(start + 120, onPage.count)])
                    let routeOf = Dictionary(uniqueKeysWithValues: batch.map { ($0.0.id, $0.1) })
                    let path = "/page/policy-\(page.hashValue)-\(app.hashValue)-\(start)"
                    harness.addPage(path, html: Harness.page(for: batch.map(\.0)) { "/p\(routeOf[$0.id]!)/r\($0.id)" })
                    let output = try #require(Chromium.output(of: try await Chromium.dumpDOM(page + path)))
                    results.merge(parseResults(output)) { $1 }
                }
            }
            var agree = 0
            var allowedCount = 0
            for (item, route) in cases {
                let intended = routes[route].intends(
                    page: item.page, method: item.method, headers: item.headers, credentials: item.credentials)
                let chromium = try #require(results[item.id]?.first, "no result for \(item)").ok
                if chromium == intended { agree += 1 }
                if chromium { allowedCount += 1 }
                #expect(
                    chromium == intended,
                    "Chromium \(chromium ? "allowed" : "blocked") what the policy \(intended ? "allows" : "refuses"): \(item) route \(routes[route].configuration)\n  replay: cors check \(app)/p\(route)/r\(item.id) --origin \(item.page) -X \(item.method) \(item.headers.map { "-H '\($0.0): \($0.1)'" }.joined(separator: " ")) --credentials \(item.credentials.rawValue)"
                )
            }
            return (agree, cases.count, allowedCount)
        }
    }
}
