import Foundation
import TestSupport

/// gzip as curl and senders produce it, by the real `gzip` program.
enum Gzip {
    static func run(_ data: Data) async throws -> [UInt8] {
        try await onOwnThread { try runBlocking(data) }
    }

    private static func runBlocking(_ data: Data) throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gzip-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", "-n", file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let compressed = readToEnd(out.fileHandleForReading)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("gzip failed") }
        return [UInt8](compressed)
    }
}
