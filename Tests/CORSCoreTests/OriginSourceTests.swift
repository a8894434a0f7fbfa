import CORSCore
import HTTPTypes
import Synchronization
import Testing

/// A store of customers' origins that counts how often it is asked.
final class CountingStore: OriginSource {
    let allowed: Set<String>
    let failure: (any Error)?
    let delay: Duration
    private let asked = Mutex<[String]>([])

    init(_ allowed: Set<String>, failure: (any Error)? = nil, delay: Duration = .zero) {
        self.allowed = allowed
        self.failure = failure
        self.delay = delay
    }

    var queries: [String] { asked.withLock { $0 } }

    func allows(_ origin: Origin) async throws -> Bool {
        asked.withLock { $0.append(origin.serialization) }
        if delay > .zero { try await Task.sleep(for: delay) }
        if let failure { throw failure }
        return allowed.contains(origin.serialization)
    }
}

struct StoreDown: Error {}

@Suite("OriginSource: origins allowed at request time")
struct OriginSourceTests {
    static let policy = try! CORSPolicy(
        allowOrigins: ["https://app.example.com"], allowMethods: ["PUT"], allowCredentials: true)

    static func request(_ origin: String?, method: HTTPRequest.Method = .get, requestMethod: String? = nil)
        -> HTTPRequest
    {
        var fields = HTTPFields()
        if let origin { fields[.origin] = origin }
        if let requestMethod { fields[.accessControlRequestMethod] = requestMethod }
        return HTTPRequest(method: method, scheme: "https", authority: "api.example", path: "/", headerFields: fields)
    }

    static func fields(_ decision: CORSDecision) -> HTTPFields {
        var fields = HTTPFields()
        decision.apply(to: &fields)
        return fields
    }

    /// Only an origin no rule lists, parsed and never `null`, is offered to a source.
    @Test func whatASourceIsAskedAbout() {
        #expect(
            Self.policy.evaluate(Self.request("https://tenant.example")).unlistedOrigin?.serialization
                == "https://tenant.example")
        for origin in ["https://app.example.com", "null", "https://tenant.example/", "HTTPS://x.example", nil] {
            #expect(Self.policy.evaluate(Self.request(origin)).unlistedOrigin == nil, "\(origin ?? "none")")
        }
    }

    /// An allowed origin is answered as a listed one; the rules every listed origin passes still hold
    /// (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy for credentials), and a preflight's
    /// method is still checked.
    @Test func anAllowedOriginIsHeldToTheRules() throws {
        let tenant = try #require(Origin(headerValue: "https://tenant.example"))
        let allowed = Self.policy.evaluate(Self.request(tenant.serialization), allowing: tenant)
        #expect(allowed.isAllowed)
        #expect(Self.fields(allowed)[.accessControlAllowOrigin] == "https://tenant.example")
        #expect(Self.fields(allowed)[.accessControlAllowCredentials] == "true")
        #expect(Self.fields(allowed)[.vary] == "Origin")

        let plain = try #require(Origin(headerValue: "http://tenant.example"))
        let refused = Self.policy.evaluate(Self.request(plain.serialization), allowing: plain)
        #expect(refused.rejection == .insecureOriginWithCredentials && Self.fields(refused)[.vary] == "Origin")
        let loopback = try #require(Origin(headerValue: "http://localhost:3000"))
        #expect(Self.policy.evaluate(Self.request(loopback.serialization), allowing: loopback).isAllowed)
        let lenient = try CORSPolicy(
            .init(
                allowOrigins: ["https://app.example.com"], allowCredentials: true,
                dangerouslyAllowInsecureOriginsWithCredentials: true))
        #expect(lenient.evaluate(Self.request(plain.serialization), allowing: plain).isAllowed)
        let withoutCredentials = try CORSPolicy(allowOrigins: ["https://app.example.com"])
        #expect(withoutCredentials.evaluate(Self.request(plain.serialization), allowing: plain).isAllowed)

        let delete = Self.request(tenant.serialization, method: .options, requestMethod: "DELETE")
        #expect(Self.policy.evaluate(delete, allowing: tenant).rejection == .methodNotAllowed("DELETE"))
        let put = Self.request(tenant.serialization, method: .options, requestMethod: "PUT")
        #expect(Self.policy.evaluate(put, allowing: tenant).immediateResponse?.status == .noContent)
        // The allowance is for that origin only.
        #expect(Self.policy.evaluate(Self.request("https://other.example"), allowing: tenant).isAllowed == false)
    }

    /// The source is asked only when the rules leave the origin unlisted and would trust it; it fails closed.
    @Test func askingASourceFailsClosed() async {
        let store = CountingStore(["https://tenant.example", "http://tenant.example"])
        for origin in ["https://app.example.com", "null", "not an origin", "http://tenant.example"] {
            let (decision, error) = await Self.policy.evaluate(Self.request(origin), asking: store)
            #expect(error == nil)
            #expect(decision.isAllowed == (origin == "https://app.example.com"), "\(origin)")
        }
        #expect(store.queries.isEmpty, "listed, null, malformed and insecure origins cost no lookup")
        let (tenant, _) = await Self.policy.evaluate(Self.request("https://tenant.example"), asking: store)
        #expect(Self.fields(tenant)[.accessControlAllowOrigin] == "https://tenant.example")
        let (stranger, _) = await Self.policy.evaluate(Self.request("https://stranger.example"), asking: store)
        #expect(stranger.rejection == .originNotAllowed)
        #expect(store.queries == ["https://tenant.example", "https://stranger.example"])

        let broken = CountingStore(["https://tenant.example"], failure: StoreDown())
        let (failed, error) = await Self.policy.evaluate(Self.request("https://tenant.example"), asking: broken)
        #expect(failed.rejection == .originNotAllowed)
        #expect(error?.hasPrefix("CORS origin source failed, origin refused: StoreDown()") == true, "\(error ?? "")")
        #expect(Self.fields(failed)[.accessControlAllowOrigin] == nil)
    }

    @Test func theCacheKeepsAnswersForTheirTimeToLive() async throws {
        let store = CountingStore(["https://tenant.example"])
        let now = Mutex<Double>(0)
        let cache = CachedOriginSource(
            store, timeToLive: .seconds(60), negativeTimeToLive: .seconds(5), clock: { now.withLock { $0 } })
        let tenant = try #require(Origin(headerValue: "https://tenant.example"))
        let stranger = try #require(Origin(headerValue: "https://stranger.example"))
        for _ in 0..<5 {
            #expect(try await cache.allows(tenant))
            #expect(try await !cache.allows(stranger))
        }
        #expect(store.queries.count == 2 && cache.lookups == 2, "five requests each, one query each")
        now.withLock { $0 = 10 }
        let tenantAgain = try await cache.allows(tenant)
        let strangerAgain = try await cache.allows(stranger)
        #expect(tenantAgain && !strangerAgain)
        #expect(store.queries == ["https://tenant.example", "https://stranger.example", "https://stranger.example"])
        now.withLock { $0 = 61 }
        _ = try await cache.allows(tenant)
        #expect(store.queries.count == 4)
    }

    /// A flood of random origins keeps at most `capacity` answers, and at most `maximumConcurrentLookups` queries in
    /// flight; a slow store is cut off at the timeout and its non-answer is not kept.
    @Test func aHostileFloodIsBounded() async throws {
        let store = CountingStore([])
        let cache = CachedOriginSource(store, capacity: 100)
        for index in 0..<1_000 {
            _ = try await cache.allows(try #require(Origin(headerValue: "https://r\(index).example")))
        }
        #expect(cache.count == 100 && store.queries.count == 1_000)
        // The newest are kept, the oldest went.
        #expect(try await !cache.allows(try #require(Origin(headerValue: "https://r999.example"))))
        #expect(store.queries.count == 1_000)
        _ = try await cache.allows(try #require(Origin(headerValue: "https://r0.example")))
        #expect(store.queries.count == 1_001)

        let slow = CountingStore(["https://tenant.example"], delay: .seconds(30))
        let limited = CachedOriginSource(slow, timeout: .milliseconds(200), maximumConcurrentLookups: 2)
        let tenant = try #require(Origin(headerValue: "https://tenant.example"))
        let clock = ContinuousClock()
        let start = clock.now
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        return try await limited.allows(tenant) ? "allowed" : "refused"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(clock.now - start < .seconds(5), "the timeout cut the slow store off")
        #expect(outcomes.filter { $0 == "timedOut" }.count == 2, "\(outcomes)")
        #expect(outcomes.filter { $0 == "tooManyLookups" }.count == 3, "\(outcomes)")
        #expect(limited.count == 0, "a failed lookup is not kept")
    }
}
