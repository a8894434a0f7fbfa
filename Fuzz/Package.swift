// swift-tools-version: 6.2

// The libFuzzer targets of swift-cors, a package of their own so that the root manifest says exactly what users
// get. `scripts/fuzz.sh` builds them with -sanitize=fuzzer,address.
//
// HTTP1Wire (the gateway's HTTP/1.1 parser) is not a product of swift-cors; its sources are compiled here, as the
// module HTTP1WireUnderTest, through the `HTTP1Wire` link to `../Sources/HTTP1Wire`, so that the fuzzer exercises
// exactly the code the gateway runs. ReferenceEvaluation (the straightforward evaluation FuzzEvaluation compares the
// engine with) is compiled the same way, through the `ReferenceEvaluation` link to `../Tests/ReferenceEvaluation`.
import PackageDescription

let fuzzTarget: (String, [Target.Dependency]) -> Target = { name, dependencies in
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, path: name)
}
let core: [Target.Dependency] = [
    .product(name: "CORSCore", package: "swift-cors"), .product(name: "HTTPTypes", package: "swift-http-types"),
]

let package = Package(
    name: "swift-cors-fuzz",
    dependencies: [
        .package(name: "swift-cors", path: ".."),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "FuzzSupport", path: "FuzzSupport"),
        .target(
            name: "HTTP1WireUnderTest",
            dependencies: [
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "HTTP1Wire"
        ),
        .target(name: "ReferenceEvaluation", dependencies: core, path: "ReferenceEvaluation"),
        fuzzTarget("FuzzOrigin", core),
        fuzzTarget("FuzzEvaluation", core + ["ReferenceEvaluation"]),
        fuzzTarget("FuzzHeaderList", core),
        fuzzTarget("FuzzPolicy", core),
        fuzzTarget("FuzzBrowser", core),
        fuzzTarget(
            "FuzzHTTP1",
            [
                "HTTP1WireUnderTest", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
    ]
)
