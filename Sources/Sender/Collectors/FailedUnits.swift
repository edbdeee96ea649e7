#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// A systemd unit in the `failed` state.
struct FailedUnit: Decodable, Equatable, Sendable {
    var unit: String
    var load: String?
    var active: String?
    var sub: String?
    var description: String?
}

/// What `systemctl list-units --state=failed` prints, in, failed units out. Pure.
enum FailedUnits {
    static let arguments = ["list-units", "--state=failed", "--all", "--no-pager", "--plain", "--no-legend", "--output=json"]
    /// More than this are listed as they come but not reported: a report has room for other checks.
    static let limit = 200

    /// JSON (systemd 246+): `[{"unit":"x.service","load":"loaded","active":"failed","sub":"failed",
    /// "description":"…"}]`. Older systemctl ignores `--output=json` and prints plain lines:
    /// `x.service loaded failed failed Description words`.
    static func parse(_ text: String) throws(UnitListError) -> [FailedUnit] {
        let trimmed = text.drop { $0 == " " || $0 == "\n" }
        if trimmed.first == "[" {
            do {
                let units = try JSONDecoder().decode([FailedUnit].self, from: Data(trimmed.utf8))
                return Array(units.filter { !$0.unit.isEmpty }.prefix(limit))
            } catch { throw UnitListError(message: "systemctl printed JSON that is not a unit list: \(error)") }
        }
        return Array(trimmed.split(separator: "\n").compactMap(plainLine).prefix(limit))
    }

    private static func plainLine(_ line: Substring) -> FailedUnit? {
        // A failed unit may be marked with a leading "●" when --plain is not honoured.
        let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true).drop { $0 == "●" || $0 == "*" }
        guard fields.count >= 4, let unit = fields.first, unit.contains(".") else { return nil }
        let words = Array(fields)
        return FailedUnit(
            unit: String(unit), load: String(words[1]), active: String(words[2]), sub: String(words[3]),
            description: words.count > 4 ? String(words[4]) : nil)
    }
}

struct UnitListError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
