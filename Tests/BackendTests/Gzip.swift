import Foundation
import TestSupport

/// gzip as curl and senders produce it, by the real `gzip` program.
enum Gzip {
    static func run(_ data: Data) async throws -> [UInt8] {
        try await onOwnThread { try runBlocking(data) }
    }

    private static func runBlocking(_ data: Data) throws -> [UInt8] {
        let (status, compressed, _) = try runCapturing("/bin/gzip", ["-c", "-n"], input: data)
        guard status == 0 else { throw TestSetupError("gzip failed") }
        return [UInt8](compressed)
    }
}
