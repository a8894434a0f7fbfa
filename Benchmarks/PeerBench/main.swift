// The swift-cors side of scripts/bench-peers.sh: the policies and requests of Benchmarks/Peers/rscors_test.go, each
// iteration deciding a request and writing the answer into a fresh response, as a middleware does. One round of every
// case per run; prints `name ns/op allocs/op` per line.
//
//   cors-peer-bench [ITERATIONS [CASE]]     300000 calls per case by default; CASE runs only the cases with that prefix
import CORSCore
import HTTPTypes
import MallocCounter

@inline(never) @_optimize(none)
func blackHole<T>(_ value: T) {}

let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap { Int($0) } ?? 300_000
let only = arguments.dropFirst().first ?? ""

let label = String(repeating: "a", count: 60)
let suffix = "\(label).\(label).\(label).example.com"
let policies: [(name: String, origins: [String], allowed: String, denied: String)] = [
    ("one", ["https://app.example.com"], "https://app.example.com", "https://evil.example"),
    ("two", ["https://x1.\(suffix)", "https://x2.\(suffix)"], "https://x2.\(suffix)", "https://x3.\(suffix)"),
    (
        "multiple",
        ["https://app.example.com", "https://*.example.org", "http://localhost:*", "https://a.example.net:8443"],
        "https://deep.sub.example.org", "https://example.org.evil.net"
    ),
    (
        "many", (0..<1000).map { "https://app\($0).example.com" }, "https://app999.example.com",
        "https://app1000.example.com"
    ),
    ("all", ["*"], "https://anything.example", "null"),
]

func request(_ method: HTTPRequest.Method, origin: String, requestHeaders: String? = nil) -> HTTPRequest {
    var fields: HTTPFields = [.origin: origin]
    if let requestHeaders {
        fields[.accessControlRequestMethod] = "PUT"
        fields[.accessControlRequestHeaders] = requestHeaders
    }
    return HTTPRequest(
        method: method, scheme: "https", authority: "api.example.com", path: "/items", headerFields: fields)
}

/// Runs `body` `iterations` times; the time and allocations per call.
func measure(_ name: String, _ body: () -> Void) {
    guard name.hasPrefix(only) else { return }
    body()
    let allocationsBefore = malloc_counter_total()
    let start = ContinuousClock.now
    for _ in 0..<iterations { body() }
    let elapsed = ContinuousClock.now - start
    let allocations = malloc_counter_total() - allocationsBefore
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    let perCall = allocationsBefore < 0 ? "-" : String(Double(allocations) / Double(iterations))
    print(name, String(nanoseconds / Double(iterations)), perCall)
}

/// A handler's response, copied for each call, so that the allocations counted are the ones CORS adds (an
/// `HTTPResponse` allocates storage for its status when it is built).
let handlerResponse = HTTPResponse(status: .ok)

for (name, origins, allowed, denied) in policies {
    let policy = try CORSPolicy(allowOrigins: origins, allowMethods: ["PUT"], allowHeaders: ["x-a", "content-type"])
    for (kind, origin) in [("allowed", allowed), ("disallowed", denied)] {
        let actual = request(.get, origin: origin)
        measure("actual/\(name)/\(kind)") {
            var response = handlerResponse
            policy.evaluate(actual).apply(to: &response.headerFields)
            blackHole(response)
        }
        let preflight = request(.options, origin: origin, requestHeaders: "content-type,x-a")
        measure("preflight/\(name)/\(kind)") {
            blackHole(policy.evaluate(preflight).immediateResponse)
        }
    }
}
let one = try CORSPolicy(
    allowOrigins: ["https://app.example.com"], allowMethods: ["PUT"], allowHeaders: ["x-a", "content-type"])
let hostile = request(.options, origin: "https://app.example.com", requestHeaders: String(repeating: ",", count: 1024))
measure("hostile/1024-commas") { blackHole(one.evaluate(hostile).immediateResponse) }
// A list written with spaces is echoed rebuilt, so it is never remembered: the cost of a preflight decided afresh.
let spaced = request(.options, origin: "https://app.example.com", requestHeaders: "content-type, x-a")
measure("preflight/one/unremembered") { blackHole(one.evaluate(spaced).immediateResponse) }
