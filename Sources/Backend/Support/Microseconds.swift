import Foundation

extension Date {
    /// Microseconds since the epoch: how SQLite rows hold time, exact to PostgreSQL's precision.
    var microseconds: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }

    init(microseconds: Int64) {
        self.init(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
