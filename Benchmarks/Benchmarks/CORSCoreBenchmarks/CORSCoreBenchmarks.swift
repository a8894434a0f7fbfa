import Benchmark
import CORSCore
import HTTPTypes

/// The jub0bs/cors benchmark matrix for `CORSPolicy.evaluate`: allowed-origin sets one, two (253-byte hosts sharing
/// a long suffix), multiple (exact, `*.` and port patterns), many (1,000) and all; actual and preflight requests;
/// allowed and disallowed origins; hostile `Access-Control-Request-Headers`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput], warmupIterations: 100, scalingFactor: .kilo,
        maxDuration: .seconds(2), maxIterations: 1_000_000)

    let label = String(repeating: "a", count: 60)
    let longSuffix = "\(label).\(label).\(label).example.com"  // 247 bytes
    let hostA = "x1." + longSuffix
    let hostB = "x2." + longSuffix
    let policies: [(String, CORSPolicy, allowed: String, denied: String)] = [
        (
            "one",
            try! CORSPolicy(
                allowOrigins: ["https://app.example.com"], allowMethods: ["PUT"], allowHeaders: ["x-a", "content-type"]),
            "https://app.example.com", "https://evil.example"
        ),
        (
            "two",
            try! CORSPolicy(
                allowOrigins: ["https://\(hostA)", "https://\(hostB)"], allowMethods: ["PUT"],
                allowHeaders: ["x-a", "content-type"]),
            "https://\(hostB)", "https://x3.\(longSuffix)"
        ),
        (
            "multiple",
            try! CORSPolicy(
                allowOrigins: [
                    "https://app.example.com", "https://*.example.org", "http://localhost:*",
                    "https://a.example.net:8443",
                ],
                allowMethods: ["PUT"], allowHeaders: ["x-a", "content-type"]),
            "https://deep.sub.example.org", "https://example.org.evil.net"
        ),
        (
            "many",
            try! CORSPolicy(
                allowOrigins: (0..<1000).map { "https://app\($0).example.com" }, allowMethods: ["PUT"],
                allowHeaders: ["x-a", "content-type"]),
            "https://app999.example.com", "https://app1000.example.com"
        ),
        (
            "all", try! CORSPolicy(allowOrigins: ["*"], allowMethods: ["PUT"], allowHeaders: ["x-a", "content-type"]),
            "https://anything.example", "null"
        ),
    ]

    func request(_ method: HTTPRequest.Method, origin: String, preflight: Bool, requestHeaders: String? = nil)
        -> HTTPRequest
    {
        var fields: HTTPFields = [.origin: origin]
        if preflight {
            fields[.accessControlRequestMethod] = "PUT"
            fields[.accessControlRequestHeaders] = requestHeaders ?? "content-type,x-a"
        }
        return HTTPRequest(
            method: method, scheme: "https", authority: "api.example.com", path: "/items", headerFields: fields)
    }

    for (name, policy, allowed, denied) in policies {
        for (kind, origin) in [("allowed", allowed), ("disallowed", denied)] {
            let actual = request(.get, origin: origin, preflight: false)
            Benchmark("actual/\(name)/\(kind)") { benchmark in
                for _ in benchmark.scaledIterations { blackHole(policy.evaluate(actual)) }
            }
            let preflight = request(.options, origin: origin, preflight: true)
            Benchmark("preflight/\(name)/\(kind)") { benchmark in
                for _ in benchmark.scaledIterations { blackHole(policy.evaluate(preflight)) }
            }
        }
    }

    let one = policies[0].1
    let commas = request(
        .options, origin: "https://app.example.com", preflight: true,
        requestHeaders: String(repeating: ",", count: 1024))
    Benchmark("hostile/1024-commas") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(one.evaluate(commas)) }
    }
    let megabyte = request(
        .options, origin: "https://app.example.com", preflight: true,
        requestHeaders: String(repeating: ",", count: 1 << 20))
    Benchmark("hostile/1MiB-commas") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(one.evaluate(megabyte)) }
    }
}
