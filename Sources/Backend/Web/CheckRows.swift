import Foundation

/// How checks appear in the pages' tables: alerts first, then no data, then ok; then by host and name.
enum CheckRows {
    static func rank(_ state: CheckState) -> Int {
        switch state {
        case .alert: return 0
        case .noData: return 1
        case .ok: return 2
        }
    }

    static func sorted(_ checks: [CheckRecord]) -> [CheckRecord] {
        checks.sorted { a, b in
            let (ra, rb) = (rank(a.state), rank(b.state))
            if ra != rb { return ra < rb }
            if a.host != b.host { return a.host < b.host }
            return a.name < b.name
        }
    }

    static func label(_ state: CheckState) -> String {
        switch state {
        case .alert: return "alert"
        case .noData: return "no data"
        case .ok: return "ok"
        }
    }

    /// One table row's fields for the templates.
    /// `csrf` and `back` go in every row: a key found in the row itself saves a walk up the context stack.
    /// `maintenanceUntil`: when the maintenance window the check is in closes.
    static func row(_ check: CheckRecord, now: Date, csrf: String, back: String, maintenanceUntil: Date? = nil) -> [String: Any] {
        var row: [String: Any] = [
            "csrf": csrf, "back": back, "status": false, "error": false, "silenced": false, "sparkURL": false, "maintenance": false,
            "host": check.host, "name": check.name, "kind": check.kind.rawValue,
            "state": check.state.rawValue, "stateLabel": label(check.state),
            "value": TimeText.value(check.value, unit: check.unit),
            "lastSeenAgo": TimeText.ago(check.lastSeen, now: now), "lastSeenISO": TimeText.iso(check.lastSeen),
            "sinceAgo": TimeText.ago(check.since, now: now), "sinceISO": TimeText.iso(check.since),
            "hostURL": URLText.hostPage(check.host), "paused": check.paused,
        ]
        if let status = check.status, status != "ok" { row["status"] = status }
        if let error = check.error { row["error"] = error }
        if let until = check.silencedUntil, until > now {
            row["silenced"] = true
            row["silencedUntil"] = until.timeIntervalSince(now) > 100 * 365 * 86400 ? "further notice" : TimeText.utc(until)
            row["silencedUntilISO"] = TimeText.iso(until)
        }
        if let until = maintenanceUntil {
            row["maintenance"] = true
            row["maintenanceUntil"] = TimeText.utc(until)
            row["maintenanceUntilISO"] = TimeText.iso(until)
        }
        if check.value != nil, check.kind != .heartbeat {
            row["sparkURL"] = "/sparkline.svg?" + URLText.queryString([("host", check.host), ("name", check.name), ("unit", check.unit), ("state", check.state.rawValue)])
        }
        return row
    }
}
