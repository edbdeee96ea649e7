#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Shared

/// POSTs one NDJSON batch to `/api/v1/journal?host=HOST`, always gzip-compressed: journal text
/// shrinks about tenfold, and batches are large.
struct JournalDelivery {
    var client: BackendClient
    var path: String

    /// Level 1: most of level 6's gain at a fraction of its time on batches of a megabyte.
    static let gzipLevel: Int32 = 1

    init(settings: SenderSettings, url: String) {
        client = settings.backendClient(url: url)
        path = "/api/v1/journal?host=" + Self.percentEncoded(settings.host)
    }

    /// What the backend says it did with a batch. Only the 2xx matters for the cursor; the
    /// counts are for the warning about lines it refused.
    struct Receipt: Decodable {
        var stored: Int?
        var duplicates: Int?
        var rejected: Int?
        var errors: [LineError]?

        struct LineError: Decodable {
            var line: Int?
            var field: String?
            var error: String?
        }
    }

    /// Returns once the backend acknowledged every entry of the batch; retries within
    /// `retryBudget`. A batch the backend refuses as too large (413: its JOURNAL_MAX_BYTES is
    /// below journal.batch_bytes) goes again in halves, and a single entry it refuses is skipped
    /// with a warning: one entry never stalls the journal.
    func send(_ batch: ArraySlice<UInt8>, entries: Int, retryBudget: Double) throws(DeliveryError) -> [Receipt?] {
        do { return [try send(Array(batch), retryBudget: retryBudget)] } catch .rejected(let status, let message) where status == 413 {
            guard entries > 1 else {
                StandardStreams.warn("journal: skipped an entry of \(batch.count) bytes that the backend refuses as too large (HTTP 413: "
                    + "\(message.oneLine)); set journal.batch_bytes at most the backend's JOURNAL_MAX_BYTES")
                return []
            }
            let half = entries / 2
            var newlines = 0
            let split = batch.firstIndex { byte in
                if byte == 0x0A { newlines += 1 }
                return newlines == half
            }.map { $0 + 1 } ?? batch.endIndex
            return try send(batch[..<split], entries: half, retryBudget: retryBudget)
                + send(batch[split...], entries: entries - half, retryBudget: retryBudget)
        }
    }

    /// Returns once the backend acknowledged the batch (2xx); retries within `retryBudget`.
    func send(_ batch: [UInt8], retryBudget: Double) throws(DeliveryError) -> Receipt? {
        var client = client
        client.retryBudget = TimeSpan(seconds: max(1, min(client.retryBudget.seconds, Int(retryBudget.rounded(.up)))))
        let response = try client.post(path: path, body: batch, contentType: "application/x-ndjson", gzipAbove: 0, gzipLevel: Self.gzipLevel)
        return try? JSONDecoder().decode(Receipt.self, from: Data(response.body))
    }

    /// RFC 3986 unreserved characters stay; every other byte of the UTF-8 becomes %XX.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
