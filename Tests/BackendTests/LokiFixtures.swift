import Foundation

/// The Loki push bodies under `Tests/Fixtures/loki`, made by its `make-bodies.sh`.
enum LokiFixtures {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/loki")
    }

    static func body(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
