// What a CORS middleware adds to a request inside each framework, without the network: the router's responder is
// called in a loop on a fresh request (an allowed `GET /hello` with `Origin`), for the app without middleware, with a
// middleware that only calls the next responder (`pass`), one that adds the allowed answer's two fields without
// deciding (`fields`: the floor of any CORS middleware), the framework's built-in CORS middleware and swift-cors's.
// The same apps as cors-bench-server (Benchmarks/BenchApps). Prints, per framework and variant, the minimum over
// the rounds of ns per request, the allocations per request, and both above `none`.
//
//   cors-middleware-bench [ITERATIONS [ROUNDS [FRAMEWORK/VARIANT]]]
//
// 100000 requests per round, 7 rounds by default. With a third argument (`vapor/ours`, say), only that one is run
// and its own figures printed: for a profiler (`perf record`), which then sees nothing else.
//
// With CORS_BENCH_EVICT=BYTES in the environment, every request is preceded by a write to each cache line of a
// buffer of that size (1048576, say), which evicts what the last request left in the caches, as a server's I/O and
// other connections do: what a middleware costs then depends on how much code and data it touches, not only on how
// many instructions it runs.
import BenchApps
import HTTPTypes
import Hummingbird
import Logging
import MallocCounter
import NIOCore
import NIOEmbedded
import Vapor

let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap { Int($0) } ?? 100_000
let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 7
let trusted = BenchApp.trustedOrigin
let variants = BenchApp.variants
let only = arguments.dropFirst(2).first
if let only, !["hummingbird", "vapor"].flatMap({ f in variants.map { "\(f)/\($0)" } }).contains(only) {
    FileHandle.standardError.write(Data("no such framework/variant: \(only) (try vapor/ours)\n".utf8))
    exit(2)
}
/// Whether a framework's variant is measured.
func runs(_ framework: String, _ variant: String) -> Bool { only == nil || only == "\(framework)/\(variant)" }
let logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}()

/// The clock and the allocation count when a loop of calls starts.
struct Start {
    let instant = ContinuousClock.now
    let allocations = malloc_counter_total()

    /// The time and allocations per call of the `iterations` calls made since.
    func perCall() -> (nanoseconds: Double, allocations: Double) {
        let elapsed = ContinuousClock.now - instant
        let allocated = malloc_counter_total() - allocations
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        return (nanoseconds / Double(iterations), allocations < 0 ? .nan : Double(allocated) / Double(iterations))
    }
}

/// The buffer written before each request (see above); empty unless CORS_BENCH_EVICT asks for one.
nonisolated(unsafe) let evicted = UnsafeMutableRawBufferPointer.allocate(
    byteCount: ProcessInfo.processInfo.environment["CORS_BENCH_EVICT"].flatMap { Int($0) } ?? 0, alignment: 64)
@inline(never) nonisolated func evictCaches() {
    for offset in stride(from: 0, to: evicted.count, by: 64) { evicted[offset] &+= 1 }
}

/// Rounds of every variant in turn, off the main actor so that no call hops between executors.
@concurrent func measureHummingbird() async throws -> [String: [(Double, Double)]] {
    let channel = EmbeddedChannel()
    let head = HTTPRequest(
        method: .get, scheme: nil, authority: "127.0.0.1", path: "/hello", headerFields: [.origin: trusted])
    let responders = variants.filter { runs("hummingbird", $0) }.map {
        ($0, BenchApp.hummingbirdRouter($0).buildResponder())
    }
    var results: [String: [(Double, Double)]] = [:]
    for _ in 0..<rounds {
        for (variant, responder) in responders {
            let start = Start()
            for _ in 0..<iterations {
                evictCaches()
                let request = Hummingbird.Request(head: head, body: .init(buffer: ByteBuffer()))
                let context = BasicRequestContext(
                    source: ApplicationRequestContextSource(channel: channel, logger: logger))
                let response = try await responder.respond(to: request, context: context)
                precondition(response.status == .ok)
            }
            results["hummingbird \(variant)", default: []].append(start.perCall())
        }
    }
    return results
}
var results = try await measureHummingbird()

// Vapor: the application's responder (global middleware, then the router), on one of its event loops so that every
// future completes in place.
func vaporApplication(_ variant: String) async throws -> Vapor.Application {
    let app = try await Vapor.Application.make(Environment(name: "production", arguments: ["cors-middleware-bench"]))
    app.logger = logger
    BenchApp.configure(app, variant: variant)
    try await app.asyncBoot()
    return app
}

var vaporApplications: [(String, Vapor.Application)] = []
for variant in variants where runs("vapor", variant) {
    vaporApplications.append((variant, try await vaporApplication(variant)))
}
let headers: HTTPHeaders = ["Host": "127.0.0.1", "Origin": trusted]
for _ in 0..<rounds {
    for (variant, app) in vaporApplications {
        let responder = app.responder.current
        let loop = app.eventLoopGroup.any()
        let result = try await loop.submit {
            // On the loop, synchronously: each future is complete when `respond` returns.
            let start = Start()
            for _ in 0..<iterations {
                evictCaches()
                let request = Vapor.Request(
                    application: app, method: .GET, url: "/hello", headers: headers, logger: logger, on: loop)
                var status: HTTPResponseStatus?
                responder.respond(to: request).assumeIsolated().whenSuccess { status = $0.status }
                precondition(status == .ok, "the response was not complete in place")
            }
            return start.perCall()
        }.get()
        results["vapor \(variant)", default: []].append(result)
    }
}
for (_, app) in vaporApplications { try await app.asyncShutdown() }

if let only {
    let rows = results[only.replacingOccurrences(of: "/", with: " ")]!
    print(only, String(format: "%.0f ns/request, %.1f allocations", rows.map(\.0).min()!, rows.map(\.1).min()!))
    exit(0)
}
print("framework    middleware   ns/request  allocations   ns above none  allocations above none")
for framework in ["hummingbird", "vapor"] {
    let none = results["\(framework) none"]!
    let noneTime = none.map(\.0).min()!
    let noneAllocations = none.map(\.1).min()!
    for variant in variants {
        let rows = results["\(framework) \(variant)"]!
        let time = rows.map(\.0).min()!
        let allocations = rows.map(\.1).min()!
        print(
            framework.padding(toLength: 12, withPad: " ", startingAt: 0),
            variant.padding(toLength: 10, withPad: " ", startingAt: 0),
            String(
                format: "%12.0f %12.1f %15.0f %23.1f", time, allocations, time - noneTime, allocations - noneAllocations
            ))
    }
}
