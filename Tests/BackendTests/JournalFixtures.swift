import Foundation
@testable import Backend

/// Journal rows and NDJSON lines as a sender would send them.
enum JournalFixtures {
    static let bootA = "0f5c1a2b3c4d4e5f8a9b0c1d2e3f4a5b"
    static let bootB = "9e8d7c6b5a4948372615f4e3d2c1b0a9"

    static func cursor(seqnum: Int64, boot: String = bootA, at: Int64) -> String {
        "s=5d1f0b6e2a3c4b5d8e9f0a1b2c3d4e5f;i=\(String(UInt64(seqnum), radix: 16));b=\(boot);m=\(String(seqnum * 1000, radix: 16));t=\(String(at, radix: 16));x=abcdef0123456789"
    }

    static func row(_ seqnum: Int64, host: String = "web-1", at: Int64, boot: String = bootA, unit: String? = "nginx.service",
                    identifier: String? = "nginx", container: String? = nil, priority: Int? = 6, message: String = "hello") -> JournalRow {
        var row = JournalRow(host: host, realtimeUsec: at, bootId: boot, seqnum: seqnum, cursor: cursor(seqnum: seqnum, boot: boot, at: at), message: message)
        row.unit = unit
        row.identifier = identifier
        row.containerName = container
        row.containerId = container.map { _ in "c0ffee" }
        row.priority = priority
        row.pid = 42
        row.transport = "journal"
        return row
    }

    static func rows(_ list: [JournalRow]) -> JournalRows {
        var rows = JournalRows()
        for row in list { rows.append(row) }
        return rows
    }

    /// Microseconds `seconds` ago.
    static func ago(_ seconds: Double) -> Int64 { Date().addingTimeInterval(-seconds).microseconds }

    /// One NDJSON line in the wire format (docs/protocol.md).
    static func line(_ seqnum: Int64, at: Int64, boot: String = bootA, unit: String = "nginx.service", message: String = "hello", extra: String = "") -> String {
        #"{"realtimeUsec":\#(at),"cursor":"\#(cursor(seqnum: seqnum, boot: boot, at: at))","bootId":"\#(boot)","unit":"\#(unit)","identifier":"nginx","pid":42,"priority":6,"transport":"journal","message":"\#(message)"\#(extra)}"#
    }
}
