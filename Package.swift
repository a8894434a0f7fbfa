// swift-tools-version: 6.2

import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// A dependency of a target that only some products need: resolved and built only when one of `traits` is enabled,
/// so that a package using only CORSCore downloads swift-http-types and nothing else.
func product(_ name: String, _ package: String, for traits: Set<String>) -> Target.Dependency {
    .product(name: name, package: package, condition: .when(traits: traits))
}

let client: Set<String> = ["Client", "CommandLine"]
let hummingbird: Set<String> = ["Hummingbird", "CommandLine"]
let vapor: Set<String> = ["Vapor"]
let commandLine: Set<String> = ["CommandLine"]

let package = Package(
    name: "swift-cors",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "CORSCore", targets: ["CORSCore"]),
        .library(name: "CORSClient", targets: ["CORSClient"]),
        .library(name: "CORSHummingbird", targets: ["CORSHummingbird"]),
        .library(name: "CORSVapor", targets: ["CORSVapor"]),
        .executable(name: "cors", targets: ["cors"]),
    ],
    traits: [
        .trait(name: "Hummingbird", description: "CORSHummingbird: the middlewares for Hummingbird 2."),
        .trait(name: "Vapor", description: "CORSVapor: the middlewares for Vapor 4."),
        .trait(name: "Client", description: "CORSClient: the browser model over AsyncHTTPClient."),
        .trait(name: "CommandLine", description: "The `cors` command and its gateway."),
        .default(enabledTraits: ["Hummingbird", "Vapor", "Client", "CommandLine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Tests only: WebSocket handshakes through the protection middleware, in real Chromium.
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // `swift package generate-documentation` (scripts/docs.sh); no target uses it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CORSCore",
            dependencies: [.product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HTTP1Wire",
            dependencies: [
                product("HTTPTypes", "swift-http-types", for: commandLine),
                product("NIOCore", "swift-nio", for: commandLine),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CORSClient",
            dependencies: [
                "CORSCore",
                product("AsyncHTTPClient", "async-http-client", for: client),
                product("NIOCore", "swift-nio", for: client),
                product("NIOHTTP1", "swift-nio", for: client),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CORSHummingbird",
            dependencies: [
                "CORSCore",
                product("Hummingbird", "hummingbird", for: hummingbird),
                product("Logging", "swift-log", for: hummingbird),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CORSVapor",
            dependencies: [
                "CORSCore",
                product("Vapor", "vapor", for: vapor),
                product("NIOHTTPTypesHTTP1", "swift-nio-extras", for: vapor),
                product("Logging", "swift-log", for: vapor),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CORSGateway",
            dependencies: [
                "CORSCore", "CORSHummingbird", "HTTP1Wire",
                product("NIOCore", "swift-nio", for: commandLine),
                product("NIOPosix", "swift-nio", for: commandLine),
                product("NIOSSL", "swift-nio-ssl", for: commandLine),
                product("NIOHTTPTypes", "swift-nio-extras", for: commandLine),
                product("HummingbirdCore", "hummingbird", for: commandLine),
                product("Hummingbird", "hummingbird", for: commandLine),
                product("HummingbirdTLS", "hummingbird", for: commandLine),
                product("ServiceLifecycle", "swift-service-lifecycle", for: commandLine),
                product("UnixSignals", "swift-service-lifecycle", for: commandLine),
                product("Logging", "swift-log", for: commandLine),
                product("Metrics", "swift-metrics", for: commandLine),
                product("Prometheus", "swift-prometheus", for: commandLine),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CORSAudit",
            dependencies: [
                "CORSCore", "CORSClient",
                product("HTTPTypes", "swift-http-types", for: commandLine),
                product("AsyncHTTPClient", "async-http-client", for: commandLine),
                product("NIOCore", "swift-nio", for: commandLine),
                product("NIOHTTP1", "swift-nio", for: commandLine),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "CORSExport", dependencies: ["CORSCore"], swiftSettings: strictSettings),
        .target(
            name: "CORSCommandLine",
            dependencies: [
                "CORSCore", "CORSClient", "CORSGateway", "CORSAudit", "CORSExport", "CORSHummingbird", "HTTP1Wire",
                product("ArgumentParser", "swift-argument-parser", for: commandLine),
                product("ServiceLifecycle", "swift-service-lifecycle", for: commandLine),
                product("UnixSignals", "swift-service-lifecycle", for: commandLine),
                product("NIOCore", "swift-nio", for: commandLine),
                product("HTTPTypes", "swift-http-types", for: commandLine),
                product("Hummingbird", "hummingbird", for: commandLine),
                product("Logging", "swift-log", for: commandLine),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "cors", dependencies: ["CORSCommandLine"], swiftSettings: strictSettings),
        .executableTarget(
            name: "cors-example-hummingbird",
            dependencies: ["CORSCore", "CORSHummingbird", product("Hummingbird", "hummingbird", for: hummingbird)],
            path: "examples/hummingbird-app"
        ),
        .executableTarget(
            name: "cors-example-vapor",
            dependencies: ["CORSCore", "CORSVapor", product("Vapor", "vapor", for: vapor)],
            path: "examples/vapor-app"
        ),
        .target(
            name: "CORSTestSupport",
            dependencies: [
                "CORSClient", "CORSCore", "CORSExport", .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/CORSTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CORSClientTests",
            dependencies: ["CORSClient", "CORSCore", "CORSTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MiddlewareTests",
            dependencies: [
                "CORSHummingbird", "CORSVapor", "CORSClient", "CORSCore", "CORSTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CORSGatewayTests",
            dependencies: [
                "CORSGateway", "CORSClient", "CORSCore", "CORSTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrowserConformanceTests",
            dependencies: [
                "CORSClient", "CORSCore", "CORSHummingbird", "CORSVapor", "CORSTestSupport", "CORSCommandLine",
                "CORSExport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CORSAuditTests",
            dependencies: [
                "CORSAudit", "CORSCore", "CORSTestSupport", .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CORSCommandLineTests",
            dependencies: [
                "CORSCommandLine", "CORSCore", "CORSClient", "CORSGateway", "CORSTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EdgeExportTests",
            dependencies: [
                "CORSExport", "CORSCore", "CORSTestSupport", "ReferenceEvaluation", "CORSAudit", "CORSGateway",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HTTP1WireTests",
            dependencies: [
                "HTTP1Wire", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // A straightforward evaluation the engine is compared with, here and by Fuzz/FuzzEvaluation.
        .target(
            name: "ReferenceEvaluation",
            dependencies: ["CORSCore", .product(name: "HTTPTypes", package: "swift-http-types")],
            path: "Tests/ReferenceEvaluation",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CORSCoreTests",
            dependencies: [
                "CORSCore", "ReferenceEvaluation",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
