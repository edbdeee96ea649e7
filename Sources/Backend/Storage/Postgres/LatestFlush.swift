/// When a host's newer report replaces its row in `host_latest`, the checks the old report named
/// and the new one does not keep their last values in their own rows. A trigger, so it sees the
/// row it replaces even when two transactions race for one host. It fires only when the names
/// change (migration 7), which makes the function's own check redundant; it stays because
/// migration 6 created the function with it, and applied migrations are not rewritten.
enum LatestFlush {
    static let function = """
        CREATE FUNCTION host_latest_flush() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.names IS DISTINCT FROM OLD.names THEN
                UPDATE checks c SET kind = o.kind, value = NULLIF(o.val, 'NaN'), unit = NULLIF(o.unit, ''),
                    status = NULLIF(o.status, ''), error = NULLIF(o.error, ''), details = NULLIF(o.details, '')::jsonb,
                    last_seen = OLD.last_seen, observed_at = OLD.observed_at
                FROM unnest(OLD.names, OLD.kinds, OLD.vals, OLD.units, OLD.statuses, OLD.errors, OLD.details)
                     AS o (name, kind, val, unit, status, error, details)
                WHERE c.host_id = OLD.host_id AND c.name = o.name AND o.name <> ALL (NEW.names)
                  AND c.observed_at < OLD.observed_at;
            END IF;
            RETURN NEW;
        END
        $$
        """
}
