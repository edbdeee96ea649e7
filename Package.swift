// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "metrics",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "metrics-sender", targets: ["Sender"]),
        .executable(name: "metrics-backend", targets: ["Backend"]),
        .library(name: "Shared", targets: ["Shared"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The wire protocol: Codable value types, validation, durations. No I/O.
        .target(name: "Shared"),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // sd-journal.h only: no pkgConfig, whose --libs would link libsystemd into the sender.
        .systemLibrary(name: "CSystemd", providers: [.apt(["libsystemd-dev"])]),
        // Small C helpers where Swift has no cheap equivalent: statvfs with a timeout, and libcurl
        // (the sender's HTTP and TLS probes, the backend's SMTP) and libsystemd's journal and bus APIs
        // (failed units), loaded on first use.
        .target(name: "CSupport", dependencies: ["CCurl", "CSystemd"], linkerSettings: [.linkedLibrary("dl")]),
        .executableTarget(
            name: "Sender",
            dependencies: [
                "Shared", "CCurl", "CZlib", "CSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "Backend",
            dependencies: [
                "Shared", "CZlib", "CCurl", "CSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // The API's description, served at /openapi.yaml (docs/openapi.yaml links here), the
            // pages' templates (views/ links here) and their CSS and JS, served by the backend itself.
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/views"), .copy("Resources/public")]
        ),
        .testTarget(name: "SharedTests", dependencies: ["Shared", "TestSupport"]),
        // Test helpers both test targets share: long-running child processes.
        .target(name: "TestSupport", dependencies: ["Shared"], path: "Tests/TestSupport"),
        .testTarget(name: "SenderTests", dependencies: ["Sender", "Shared", "TestSupport"]),
        .testTarget(
            name: "BackendTests",
            dependencies: [
                "Backend", "Shared", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
