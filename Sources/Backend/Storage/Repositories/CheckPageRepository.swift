import Foundation

/// How many checks of a host are in each state: the dashboard's summary.
struct CheckCounts: Sendable, Equatable {
    var ok = 0
    var alert = 0
    var noData = 0

    var total: Int { ok + alert + noData }

    func count(_ state: CheckState) -> Int {
        switch state {
        case .ok: return ok
        case .alert: return alert
        case .noData: return noData
        }
    }

    mutating func add(_ state: CheckState, _ count: Int) {
        switch state {
        case .ok: ok += count
        case .alert: alert += count
        case .noData: noData += count
        }
    }
}

/// The dashboard reads counts and one page of rows, never every check: a fleet of 10,000 checks
/// costs it 200 rows. Both engines implement it.
protocol CheckPageRepository: Sendable {
    /// Per host, how many checks are in each state; of one host, or of the hosts with a tag.
    func checkCounts(host: String?, tag: String?) async throws -> [String: CheckCounts]
    /// Checks in the pages' order: alerts first, then no data, then ok; then by host and name.
    func checksPage(host: String?, tag: String?, state: CheckState?, offset: Int, limit: Int) async throws -> [CheckRecord]
}

enum CheckPageSQL {
    /// The pages' order, as SQL (the same on both engines).
    static let order = "CASE c.state WHEN 'alert' THEN 0 WHEN 'no-data' THEN 1 ELSE 2 END, h.name, c.name"

    /// The host has the tag: its stored list (`HostTagList`), fenced by commas, holds it so.
    /// `find` is the engine's substring search, `tag` its parameter.
    static func hasTag(find: String, tag: String) -> String {
        "\(find)(',' || coalesce(h.tags, '') || ',', ',' || \(tag) || ',') > 0"
    }
}
