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
    }

    /// One request, as the CORS policy and the protection decided it.
    func record(cors decision: CORSDecision, protection: ProtectionDecision?) {
        let kind =
            switch decision.kind {
            case .notCORS: "not-cors"
            case .preflight: "preflight"
            case .actual: "actual"
            }
        Metrics.Counter(
            label: "cors_requests_total",
            dimensions: [("kind", kind), ("decision", decision.isAllowed ? "allowed" : "refused")], factory: factory
        ).increment()
        if let rejection = decision.rejection {
            Metrics.Counter(label: "cors_refusals_total", dimensions: [("reason", rejection.code)], factory: factory)
                .increment()
        }
        if let protection, protection.refused {
            Metrics.Counter(
                label: "cors_protection_refusals_total", dimensions: [("reason", protection.reason.code)],
                factory: factory
            ).increment()
        }
    }

    /// One answer from the upstream (or the gateway's own 502/503/504 in its place), and how long it took.
    func recordUpstream(status: Int, duration: Duration) {
        Metrics.Counter(
            label: "cors_upstream_responses_total", dimensions: [("class", "\(status / 100)xx")], factory: factory
        )
        .increment()
        Metrics.Timer(label: "cors_upstream_duration_seconds", factory: factory).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func requestStarted() { inFlight.increment() }
    func requestEnded() { inFlight.decrement() }

    /// A policy reload: `ok` when the new policy is in force, otherwise refused.
    package func recordReload(ok: Bool) {
        Metrics.Counter(
            label: "cors_policy_reloads_total", dimensions: [("result", ok ? "ok" : "refused")], factory: factory
        )
        .increment()
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
