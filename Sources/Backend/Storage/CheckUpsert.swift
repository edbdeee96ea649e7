/// What a report overwrites in a check that exists, in SQL both engines read: its values and
/// last-seen time, its interval and grace only when given, and nothing when the row holds a
/// newer report's values (a late report).
enum CheckUpsert {
    static let onConflict = """
        ON CONFLICT (host_id, name) DO UPDATE SET
            kind = excluded.kind, value = excluded.value, unit = excluded.unit, status = excluded.status,
            error = excluded.error, details = excluded.details, last_seen = excluded.last_seen,
            observed_at = excluded.observed_at,
            every_seconds = coalesce(excluded.every_seconds, checks.every_seconds),
            grace_seconds = coalesce(excluded.grace_seconds, checks.grace_seconds)
        WHERE excluded.observed_at >= checks.observed_at
        """
}
