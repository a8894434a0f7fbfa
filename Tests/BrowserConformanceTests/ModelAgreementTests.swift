import CORSClient
import CORSCore
import CORSTestSupport
import HTTPTypes
import Testing

/// Generated cases, from a fixed seed: methods, request headers, credentials modes, preflight and response fields,
/// redirects and repeated fetches (the preflight cache).
enum CaseGenerator {
    static let methods = ["GET", "GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "patch", "CUSTOM"]
    static let headerChoices: [(String, String)] = [
        ("X-Custom-Request", "1"), ("Content-Type", "application/json"), ("Content-Type", "text/plain"),
        ("Authorization", "Bearer t"), ("Accept-Language", "fr"), ("X-Other-Request", "2"),
    ]

    static func generate(count: Int, origins: [String], seed: UInt64) -> [ConformanceCase] {
        var rng = SeededGenerator(seed: seed)
        func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
        func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        func allowOrigin() -> ResponseSpec.AllowOrigin {
            chance(65) ? .echo : pick(ResponseSpec.AllowOrigin.allCases)
        }
        var cases: [ConformanceCase] = []
        for id in 0..<count {
            let page = pick(origins)
            let target = pick(origins.filter { $0 != page })
            let method = pick(methods)
            var headers: [(String, String)] = []
            for _ in 0..<Int(rng.next() % 3) {
                let header = pick(headerChoices)
                if !headers.contains(where: { $0.0 == header.0 }) { headers.append(header) }
            }
            let names = headers.map { $0.0.lowercased() }
            var preflight = ResponseSpec()
            preflight.status = pick([204, 204, 200, 200, 404, 500, 302])
            preflight.allowOrigin = allowOrigin()
            preflight.allowCredentials = chance(60)
            preflight.allowMethods = pick([
                nil, method, "*", "GET, POST", method.lowercased(), "PUT, DELETE, PATCH", method,
            ])
            preflight.allowHeaders = pick([
                nil, names.joined(separator: ", "), "*", "x-custom-request", "authorization, x-custom-request",
                "*, authorization", names.joined(separator: ","),
            ])
            var actual = ResponseSpec()
            actual.status = pick([200, 200, 200, 404, 500])
            actual.allowOrigin = allowOrigin()
            actual.allowCredentials = chance(60)
            actual.exposeHeaders = pick([nil, nil, "x-custom", "*", "x-custom, x-other", "bad value", "X-OTHER"])
            var item = ConformanceCase(
                id: id, page: page, target: target, method: method, headers: headers,
                credentials: pick([.omit, .sameOrigin, .include]), preflight: preflight, actual: actual)
            if chance(15) {
                var hop = ResponseSpec()
                hop.allowOrigin = pick([.echo, .echo, .star, .none, .null])
                hop.allowCredentials = chance(60)
                item.redirectHop = hop
                item.redirectTo = pick(origins.filter { $0 != target })
            }
            if chance(8) {
                item.repeats = 2
                item.preflight.maxAge = pick([nil, "0", "60", "-1", "abc", "7200"])
            }
            cases.append(item)
        }
        return cases
    }
}

extension RealBrowsers {
    @Suite("Real engines agree with the browser model", .serialized)
    struct ModelAgreementTests {
        static let caseCount = 1200

        @Test(arguments: Engine.allCases)
        func engineAndTheModelAgreeCaseByCase(_ engine: Engine) async throws {
            guard try engine.isAvailable() else { return }
            let started = ContinuousClock.now
            let harness = try await Harness.start()
            let cases = CaseGenerator.generate(count: Self.caseCount, origins: harness.origins, seed: 0xC0_85)
            harness.register(cases)
            var pages: [String] = []
            for page in harness.origins {
                let onPage = cases.filter { $0.page == page }
                for start in stride(from: 0, to: onPage.count, by: 120) {
                    let batch = Array(onPage[start..<min(start + 120, onPage.count)])
                    let path = "/page/model-\(pages.count + 1)"
                    harness.addPage(path, html: Harness.page(for: batch) { $0.path })
                    pages.append(page + path)
                }
            }
            let reported = try await engine.run(pages, harness: harness)

            var allowedAgree = 0
            var preflightAgree = 0
            var headersAgree = 0
            var compared = 0
            var unstable: [String] = []
            let client = CORSClient(profile: engine.profile, timeoutSeconds: 10)
            for item in cases {
                let request = item.modelRequest
                let seen = try #require(reported[item.id], "no result for \(item)")
                for repeatIndex in 0..<item.repeats {
                    let model = await client.fetch(request).result
                    let browser = seen[repeatIndex]
                    compared += 1
                    let readable = model.isReadable
                    if browser.ok == readable { allowedAgree += 1 }
                    if browser.ok == readable,
                        !readable || (browser.headers == model.readableHeaderNames && browser.status == model.status)
                    {
                        headersAgree += 1
                    }
                    #expect(
                        browser.ok == readable,
                        "\(engine) \(browser.ok ? "allowed" : "blocked"), the model \(readable ? "allowed" : "blocked (\(model.failure?.code ?? ""))") \(item)\n  replay: \(item.commandLine)"
                    )
                    if browser.ok, readable {
                        #expect(
                            browser.headers == model.readableHeaderNames,
                            "readable headers differ: \(browser.headers) vs \(model.readableHeaderNames) \(item)")
                        #expect(browser.status == model.status, "status \(browser.status) vs \(model.status) \(item)")
                    }
                }
                let browserPreflights = harness.requests(prefix: "c", id: item.id).filter { $0.method == "OPTIONS" }
                    .count
                let modelPreflights = harness.requests(prefix: "m", id: item.id).filter { $0.method == "OPTIONS" }.count
                if browserPreflights == modelPreflights { preflightAgree += 1 }
                // Firefox's preflight cache does not give the same count from run to run for a repeated fetch (on this
                // machine, cases #21 and #364 flip between one and two preflights; Firefox drops an entry when the
                // host's DNS record is newer, `CheckDNSCache` in nsCORSListenerProxy.cpp): those counts are reported,
                // not asserted; `EngineProbeTests` checks its cache rules on cases that are stable.
                if engine == .firefox, item.repeats > 1 {
                    if browserPreflights != modelPreflights { unstable.append("#\(item.id)") }
                    continue
                }
                #expect(
                    browserPreflights == modelPreflights,
                    "preflights: \(engine) \(browserPreflights), model \(modelPreflights) \(item)")
            }
            try await client.shutdown()
            try await harness.shutdown()
            print(
                "browser conformance: \(engine.version): \(cases.count) cases, \(compared) fetches; allowed/blocked agree \(allowedAgree)/\(compared), "
                    + "readable headers and status agree \(headersAgree)/\(compared), preflight count agrees \(preflightAgree)/\(cases.count)"
                    + (unstable.isEmpty
                        ? "" : " (not asserted: Firefox's count for repeated \(unstable.joined(separator: ", ")))")
                    + "; \(started.duration(to: .now))"
            )
        }
    }
}
