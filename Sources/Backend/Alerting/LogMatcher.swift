import Foundation
import Shared

/// Runs the log rules over a batch of journal entries and says, per host, what each rule's
/// check reports: the latest matching entry wins, so a problem then its recovery in one batch
/// ends ok. Entries older than a rule's quiet period are history, not news: a backlog shipped
/// late raises nothing. Pure, like the rules.
enum LogMatcher {
    /// The part of a matching line a check keeps and a message carries.
    static let lineLimit = 500

    /// `tags`: the hosts' tags, needed only when a rule picks hosts by tag.
    static func reports(rules: [LogRule], rows: JournalRows, now: Date, tags: [String: [String]] = [:]) -> [Report] {
        guard !rules.isEmpty, rows.count > 0 else { return [] }
        struct Hit { var row: Int; var outcome: LogRule.Outcome; var problems: Int }
        var hits: [String: [Int: Hit]] = [:]
        let nowMicros = Int64(now.timeIntervalSince1970 * 1_000_000)
        var cachedHost: String?
        var hostRules: [Int] = []
        for row in 0..<rows.count {
            let host = rows.hosts[row]
            if host != cachedHost {
                cachedHost = host
                let hostTags = tags[host] ?? []
                hostRules = rules.indices.filter { index in
                    rules[index].hosts.matchesAny(host) && HostTags.picks(rules[index].tags, hostTags)
                }
            }
            for index in hostRules {
                let rule = rules[index]
                guard rows.times[row] >= nowMicros - Int64(rule.quiet) * 1_000_000 else { continue }
                let outcome = rule.outcome(unit: rows.units[row], identifier: rows.identifiers[row], priority: rows.priorities[row], message: rows.messages[row])
                if outcome == .none { continue }
                var hit = hits[host]?[index] ?? Hit(row: row, outcome: outcome, problems: 0)
                if outcome == .problem { hit.problems += 1 }
                if rows.times[row] >= rows.times[hit.row] {
                    hit.row = row
                    hit.outcome = outcome
                }
                hits[host, default: [:]][index] = hit
            }
        }
        return hits.keys.sorted().map { host in
            let observations = hits[host, default: [:]].keys.sorted().map { index -> Observation in
                let hit = hits[host]![index]!
                return observation(rules[index], rows: rows, row: hit.row, recovered: hit.outcome == .recovered, problems: hit.problems)
            }
            // Dated at its latest line and marked resent, so the ingest keeps it at that time: a
            // batch retried late (an older line) never overwrites what a newer line said.
            let latest = hits[host, default: [:]].values.map { rows.times[$0.row] }.max() ?? 0
            let at = min(now, Date(timeIntervalSince1970: Double(latest) / 1_000_000))
            return Report(host: host, sentAt: at, reportId: UUID().uuidString, resent: true, observations: observations)
        }
    }

    private static func observation(_ rule: LogRule, rows: JournalRows, row: Int, recovered: Bool, problems: Int) -> Observation {
        let at = Date(timeIntervalSince1970: Double(rows.times[row]) / 1_000_000)
        var details: [String: JSONValue] = [
            "line": .string(String(rows.messages[row].prefix(lineLimit))),
            "at": .string(ISO8601DateFormatter().string(from: at)),
            "matches": .number(Double(problems)),
        ]
        if let unit = rows.units[row] { details["unit"] = .string(unit) }
        if let identifier = rows.identifiers[row] { details["identifier"] = .string(identifier) }
        var observation = Observation(
            name: rule.checkName, kind: .gauge, status: recovered ? ObservationStatus.ok : ObservationStatus.match,
            every: rule.quiet, grace: 0, details: details)
        // Not a kind a sender reports: only the backend's rules raise it.
        observation.kind = CheckKind.journal.rawValue
        return observation
    }
}
