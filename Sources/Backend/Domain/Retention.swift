import Foundation
import Shared

/// How long each kind of row is kept, for both engines. The time-partitioned tables (samples, the
/// journal) also hold their period, to create and drop partitions by it.
struct Retention: Sendable {
    /// `SAMPLE_RETENTION`. Pings and finished notifications are history, kept as long.
    var samples: TimeSpan
    /// A sender retries a report within hours; two days of report ids recognise every retry.
    static let reportKeys: TimeInterval = 2 * 86400
    /// Longer than any throttle window and lockout.
    static let loginRecords: TimeInterval = 86400

    func cutoffs(now: Date) -> RetentionCutoffs {
        let samples = now.addingTimeInterval(-Double(self.samples.seconds))
        return RetentionCutoffs(
            now: now, samples: samples, reportKeys: now.addingTimeInterval(-Self.reportKeys), history: samples,
            loginRecords: now.addingTimeInterval(-Self.loginRecords))
    }
}
