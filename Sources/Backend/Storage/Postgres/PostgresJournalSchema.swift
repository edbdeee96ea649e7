import Shared

/// Versioned migrations of the journal on PostgreSQL, kept apart from the rest of the schema
/// (their own version table) because `JOURNAL_DATABASE_URL` may put them in another database.
enum PostgresJournalSchema {
    static func table(retention: TimeSpan) -> TimePartitionedTable {
        TimePartitionedTable(
            name: "journal_entries",
            columns: """
                id bigserial NOT NULL, host text NOT NULL, at timestamptz NOT NULL, boot_id text NOT NULL,
                seqnum bigint NOT NULL, cursor text NOT NULL, unit text, identifier text, container_name text,
                container_id text, pid integer, priority smallint, transport text, message text NOT NULL,
                message_base64 text, fields jsonb,
                PRIMARY KEY (host, at, boot_id, seqnum)
                """,
            timeColumn: "at", segmentBy: "host", retention: retention)
    }

    static func migrations(table: TimePartitionedTable) -> [[PostgresSchema.Step]] {
        [
            // 1: the entries, and an index for each filter of the journal browser.
            [
                .timePartitioned(table),
                .sql("ALTER SEQUENCE journal_entries_id_seq CACHE 1000"),
                .sql("CREATE INDEX journal_entries_at_id ON journal_entries (at, id)"),
                .sql("CREATE INDEX journal_entries_unit ON journal_entries (unit, at) WHERE unit IS NOT NULL"),
                .sql("CREATE INDEX journal_entries_identifier ON journal_entries (identifier, at) WHERE identifier IS NOT NULL"),
                .sql("CREATE INDEX journal_entries_container ON journal_entries (container_name, at) WHERE container_name IS NOT NULL"),
                .sql("CREATE INDEX journal_entries_priority ON journal_entries (priority, at)"),
                .withTrigram("CREATE INDEX journal_entries_message_trgm ON journal_entries USING gin (message gin_trgm_ops)"),
            ],
            // 2: no trigram index on TimescaleDB. Compressed chunks have none and are searched by
            // their host segment, a search of one host never uses it, and it cost ingest 30 %
            // (bench/journal.sh, docs/speed.md). Native partitions keep it for searches of every host.
            [
                .run { connection, logger in
                    guard try await PostgresMigrator.mode(of: "journal_entries", on: connection, logger: logger) == .timescale else { return }
                    try await connection.query("DROP INDEX IF EXISTS journal_entries_message_trgm", logger: logger)
                },
            ],
        ]
    }
}
