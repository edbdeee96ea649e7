/// Reading a check on PostgreSQL: the newest report of each host lives in `host_latest`, one row
/// per host, and a check's row holds its values only when that report does not name it (the check
/// left the report, or a ping or later write is newer). Whichever is newer wins.
enum LatestColumns {
    /// The joins after `checks c`: the host, its latest report, and the check's place in it.
    static let joins = """
        JOIN hosts h ON h.id = c.host_id
        LEFT JOIN host_latest l ON l.host_id = c.host_id
        LEFT JOIN LATERAL (SELECT array_position(l.names, c.name) WHERE l.observed_at >= c.observed_at) AS p (i) ON true
        """

    static let status = pick("NULLIF(l.statuses[p.i], '')", "c.status")
    static let lastSeen = pick("l.last_seen", "c.last_seen")

    /// The columns of `CheckRecord(postgres:)`.
    static let record = """
        h.name, c.name, \(pick("l.kinds[p.i]", "c.kind")), \(pick("NULLIF(l.vals[p.i], 'NaN')", "c.value")),
        \(pick("NULLIF(l.units[p.i], '')", "c.unit")), \(status), \(pick("NULLIF(l.errors[p.i], '')", "c.error")),
        \(pick("NULLIF(l.details[p.i], '')", "c.details::text")), c.state, c.since, \(lastSeen),
        \(pick("l.observed_at", "c.observed_at")), c.every_seconds, c.grace_seconds, c.silenced_until, c.paused, c.cron, c.timezone
        """

    private static func pick(_ latest: String, _ row: String) -> String {
        "CASE WHEN p.i IS NULL THEN \(row) ELSE \(latest) END"
    }
}
