/// One journal line as the sender ships it. A batch is NDJSON: one JournalEntry per line,
/// POSTed to `/api/v1/journal?host=HOST` (see docs/protocol.md).
public struct JournalEntry: Codable, Sendable, Equatable {
    /// Wall-clock time of the entry, microseconds since the epoch (`__REALTIME_TIMESTAMP`).
    public var realtimeUsec: Int64
    /// The journal's cursor; with the boot id and sequence number in it, the entry's identity.
    public var cursor: String
    public var host: String?
    public var bootId: String?
    public var unit: String?
    public var identifier: String?
    public var pid: Int?
    public var priority: Int?
    public var transport: String?
    public var containerName: String?
    public var containerId: String?
    /// The message as text; bytes that are not UTF-8 appear as `\xNN` so it stays displayable.
    public var message: String?
    /// The exact bytes, base64, present only when MESSAGE was not valid UTF-8.
    public var messageBase64: String?
    /// Allow-listed extra fields (`--journal-field`).
    public var fields: [String: String]?

    public init(realtimeUsec: Int64, cursor: String) {
        self.realtimeUsec = realtimeUsec
        self.cursor = cursor
    }
}
