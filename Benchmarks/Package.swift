// swift-tools-version: 6.2

// The benchmarks of swift-cors, a package of their own so that the root manifest says exactly what users get:
//   swift package --package-path Benchmarks benchmark      CORSCoreBenchmarks (ordo-one/benchmark)
//   scripts/bench-http.sh                                   cors-bench-server under wrk, cors-middleware-bench
//   scripts/bench-peers.sh                                  cors-peer-bench beside rs/cors (Peers/, Go)
//   scripts/bench-gateway.sh                                cors-relay-ceiling, the bare SwiftNIO relay
import PackageDescription

let package = Package(
    name: "swift-cors-benchmarks",
    dependencies: [
        .package(name: "swift-cors", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
    ],
    targets: [
        .executableTarget(
            name: "CORSCoreBenchmarks",
            dependencies: [
                .product(name: "CORSCore", package: "swift-cors"), .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Benchmarks/CORSCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The swift-cors side of scripts/bench-peers.sh, with allocations counted by MallocCounter.
        .executableTarget(
            name: "cors-peer-bench",
            dependencies: [
                .product(name: "CORSCore", package: "swift-cors"),
                .product(name: "HTTPTypes", package: "swift-http-types"), "MallocCounter",
            ],
            path: "PeerBench"
        ),
        .target(name: "MallocCounter", path: "MallocCounter"),
        // The hello-world app of scripts/bench-http.sh.
        .executableTarget(
            name: "cors-bench-server",
            dependencies: [
                "BenchApps", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Vapor", package: "vapor"),
            ],
            path: "HTTPBenchServer"
        ),
        // The hello-world app, its five variants, for cors-bench-server and cors-middleware-bench.
        .target(
            name: "BenchApps",
            dependencies: [
                .product(name: "CORSCore", package: "swift-cors"),
                .product(name: "CORSHummingbird", package: "swift-cors"),
                .product(name: "CORSVapor", package: "swift-cors"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Vapor", package: "vapor"),
            ],
            path: "BenchApps"
        ),
        // What each middleware adds to a request inside the framework, without the network (scripts/bench-http.sh).
        .executableTarget(
            name: "cors-middleware-bench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Vapor", package: "vapor"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOEmbedded", package: "swift-nio"), "BenchApps", "MallocCounter",
            ],
            path: "MiddlewareBench"
        ),
        // The ceiling of a SwiftNIO proxy, beside cors serve and nginx in scripts/bench-gateway.sh.
        .executableTarget(
            name: "cors-relay-ceiling",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "RelayCeiling"
        ),
    ]
)
