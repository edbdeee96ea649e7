import Foundation
import TestSupport

/// Runs the built `metrics-sender` as a user would, and captures what it says.
struct SenderBinary {
    typealias Outcome = CommandOutcome

    /// The product sits next to the test bundle in SwiftPM's build directory.
    static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("metrics-sender").path
    }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// Runs with a clean environment (no METRICS_* from the developer's shell) plus `environment`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        try await runCommand(path, arguments, environment: environment)
    }
}
