import Foundation
import Shared

/// What the host page shows of the host checks beyond charts: failed units with their journal,
/// certificates with days left, and the date a disk's samples say it fills up.
enum HostHealthRows {
    /// Units reported failed, or still alerting; each links to its journal.
    static func units(_ checks: [CheckRecord], host: String) -> [[String: Any]] {
        checks.filter { $0.kind == .unit && ($0.status == ObservationStatus.failed || $0.state == .alert) }
            .sorted { $0.name < $1.name }
            .map { check in
                let unit = String(check.name.dropFirst("unit:".count))
                var row: [String: Any] = [
                    "unit": unit, "state": check.state.rawValue,
                    "journalURL": "/journal?" + URLText.queryString([("host", host), ("unit", unit)]),
                ]
                if case .string(let description)? = check.details?["description"] { row["description"] = description }
                return row
            }
    }

    /// Certificates, soonest expiry first.
    static func certs(_ checks: [CheckRecord]) -> [[String: Any]] {
        checks.filter { $0.kind == .cert }
            .sorted { ($0.value ?? -.infinity, $0.name) < ($1.value ?? -.infinity, $1.name) }
            .map { check in
                var row: [String: Any] = ["name": String(check.name.dropFirst("cert:".count)), "state": check.state.rawValue]
                if let days = check.value {
                    row["daysLeft"] = days < 0 ? "expired \((-days).rounded(.up).clampedInt) days ago" : "\(days.rounded(.down).clampedInt) days left"
                } else {
                    row["daysLeft"] = check.error ?? "unreadable"
                }
                if case .string(let notAfter)? = check.details?["notAfter"] { row["notAfter"] = notAfter }
                if case .string(let name)? = check.details?["commonName"] { row["commonName"] = name }
                return row
            }
    }

    /// When the disk's last hours of samples say it is full, if it grows at all.
    static func fill(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> String? {
        guard check.kind == .disk,
            let prediction = FillPrediction.predict(samples, now: now, window: Double(settings.diskFillWindow))
        else { return nil }
        return "at \(Durations.percent(prediction.growthPerHour)) %/h, full around \(TimeText.utc(prediction.fullAt).dropLast(7)) UTC"
    }
}
