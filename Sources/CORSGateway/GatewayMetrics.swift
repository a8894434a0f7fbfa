import CORSCore
import HTTPTypes
import Metrics
package import Prometheus
import Synchronization

/// What `cors serve` counts for its admin listener's `/metrics`: swift-metrics instruments backed by a Prometheus
/// registry of the gateway's own (no process-wide bootstrap, so that several gateways in one process stay apart).
///
/// Names follow Prometheus' conventions (https://prometheus.io/docs/practices/naming/): `_total` counters, seconds.
package final class GatewayMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let inFlight: Metrics.Meter
    private let policyAge: Metrics.Gauge
    private let policyLoaded = Mutex(ContinuousClock.now)
    /// The instruments whose labels are known up front, built once (and so exported at 0 from the start).
    private let requests: [String: Metrics.Counter]
    private let upstreamClasses: [Metrics.Counter]
    private let upstreamDuration: Metrics.Timer
    private let reloads: (ok: Metrics.Counter, refused: Metrics.Counter)
    /// Counters per reason code, made the first time a reason is seen.
    private let reasons = Mutex<[String: Metrics.Counter]>([:])

    /// Buckets for the upstream's latency, from 1 ms to 30 s.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    package init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = ["cors_upstream_duration_seconds": Self.latencyBuckets]
        self.factory = factory
        inFlight = Metrics.Meter(label: "cors_requests_in_flight", factory: factory)
        policyAge = Metrics.Gauge(label: "cors_policy_age_seconds", factory: factory)
        var requests: [String: Metrics.Counter] = [:]
        for kind in [CORSDecision.Kind.notCORS, .preflight, .actual] {
            for verdict in ["allowed", "refused"] where kind != .notCORS || verdict == "allowed" {
                requests[kind.name + verdict] = Metrics.Counter(
                    label: "cors_requests_total", dimensions: [("kind", kind.name), ("decision", verdict)],
                    factory: factory)
            }
        }
        self.requests = requests
        upstreamClasses = (1...5).map {
            Metrics.Counter(
                label: "cors_upstream_responses_total", dimensions: [("class", "\($0)xx")], factory: factory)
        }
        upstreamDuration = Metrics.Timer(label: "cors_upstream_duration_seconds", factory: factory)
        reloads = (
            Metrics.Counter(label: "cors_policy_reloads_total", dimensions: [("result", "ok")], factory: factory),
            Metrics.Counter(label: "cors_policy_reloads_total", dimensions: [("result", "refused")], factory: factory)
        )
    }

    /// One request, as the CORS policy and the protection decided it.
    func record(cors decision: CORSDecision, protection: ProtectionDecision?) {
        requests[decision.kind.name + decision.verdictName]?.increment()
        if let rejection = decision.rejection { reason("cors_refusals_total", rejection.code).increment() }
        if let protection, protection.refused {
            reason("cors_protection_refusals_total", protection.reason.code).increment()
        }
    }

    /// The counter `label{reason="code"}`, made the first time (reason codes are a closed set, so this is bounded).
    private func reason(_ label: String, _ code: String) -> Metrics.Counter {
        reasons.withLock { counters in
            if let counter = counters[label + code] { return counter }
            let counter = Metrics.Counter(label: label, dimensions: [("reason", code)], factory: factory)
            counters[label + code] = counter
            return counter
        }
    }

    /// One answer from the upstream (or the gateway's own 502/503/504 in its place), and how long it took.
    func recordUpstream(status: Int, duration: Duration) {
        if (1...5).contains(status / 100) { upstreamClasses[status / 100 - 1].increment() }
        upstreamDuration.recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func requestStarted() { inFlight.increment() }
    func requestEnded() { inFlight.decrement() }

    /// A policy reload: `ok` when the new policy is in force, otherwise refused.
    package func recordReload(ok: Bool) {
        (ok ? reloads.ok : reloads.refused).increment()
        if ok { policyLoaded.withLock { $0 = .now } }
    }

    /// The Prometheus text exposition of every metric, the policy's age brought up to date.
    package func exposition() -> String {
        let loaded = policyLoaded.withLock { $0 }
        let age = loaded.duration(to: .now)
        policyAge.record(Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18)
        return registry.emitToString()
    }
}
