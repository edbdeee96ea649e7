// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "metrics",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "metrics-sender", targets: ["Sender"]),
        .library(name: "Shared", targets: ["Shared"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The wire protocol: Codable value types, validation, durations. No I/O.
        .target(name: "Shared"),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Small C helpers the sender needs where Swift has no cheap equivalent: statvfs with a
        // timeout, and libcurl loaded on first use.
        .target(name: "CSupport", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("dl")]),
        .executableTarget(
            name: "Sender",
            dependencies: [
                "Shared", "CCurl", "CZlib", "CSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SharedTests", dependencies: ["Shared"]),
        .testTarget(name: "SenderTests", dependencies: ["Sender", "Shared"]),
    ]
)
