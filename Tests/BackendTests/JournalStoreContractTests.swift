import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// The journal store's contract, the same cases on SQLite and on PostgreSQL.
@Suite struct JournalStoreContractTests {
    typealias F = JournalFixtures

    @Test(arguments: Engine.available)
    func aResentBatchStoresNothingNew(_ engine: Engine) async throws {
        try await TestStores.withJournal(engine) { (journal: any JournalStore) async throws in
            let base = F.ago(60)
            let batch = F.rows((0..<50).map { F.row($0, at: base + $0) })
            #expect(try await journal.insert(batch) == 50)
            #expect(try await journal.insert(batch) == 0)
            // Duplicates inside one batch are fine: the first one is kept.
            let twice = F.rows([F.row(100, at: base + 100), F.row(100, at: base + 100), F.row(101, at: base + 101)])
            #expect(try await journal.insert(twice) == 2)
            // The same sequence number on another boot, or another host, is another entry.
            #expect(try await journal.insert(F.rows([F.row(0, at: base, boot: F.bootB), F.row(0, host: "db-1", at: base)])) == 2)
            #expect(try await journal.entries(JournalQuery(limit: 1000)).count == 54)
        }
    }

    @Test(arguments: Engine.available)
    func entriesComeBackWhole(_ engine: Engine) async throws {
        try await TestStores.withJournal(engine) { (journal: any JournalStore) async throws in
            let at = F.ago(30)
            var row = F.row(7, at: at, container: "web", priority: 3, message: "disk \\ full \"now\" ✓")
            row.messageBase64 = "/w=="
            row.fields = #"{"CODE_FILE":"main.c"}"#
            #expect(try await journal.insert(F.rows([row])) == 1)
            let entry = try #require(try await journal.entries(JournalQuery()).first)
            #expect(entry.host == "web-1")
            #expect(entry.realtimeUsec == at)
            #expect(entry.bootId == F.bootA)
            #expect(entry.seqnum == 7)
            #expect(entry.cursor == row.cursor)
            #expect(entry.unit == "nginx.service")
            #expect(entry.identifier == "nginx")
            #expect(entry.containerName == "web")
            #expect(entry.containerId == "c0ffee")
            #expect(entry.pid == 42)
            #expect(entry.priority == 3)
            #expect(entry.transport == "journal")
            #expect(entry.message == "disk \\ full \"now\" ✓")
            #expect(entry.messageBase64 == "/w==")
            #expect(entry.fields == ["CODE_FILE": .string("main.c")])
        }
    }

    @Test(arguments: Engine.available)
    func everyFilterNarrowsTheResult(_ engine: Engine) async throws {
        try await TestStores.withJournal(engine) { (journal: any JournalStore) async throws in
            let base = F.ago(600)
            _ = try await journal.insert(F.rows([
                F.row(1, at: base + 1_000_000, unit: "nginx.service", identifier: "nginx", priority: 6, message: "GET / 200"),
                F.row(2, at: base + 2_000_000, unit: "nginx.service", identifier: "nginx", priority: 3, message: "upstream TIMED OUT"),
                F.row(3, at: base + 3_000_000, unit: "sshd.service", identifier: "sshd", priority: 5, message: "Accepted publickey"),
                F.row(4, at: base + 4_000_000, unit: nil, identifier: "dockerd", container: "api", priority: 4, message: "100% done_ok"),
                F.row(5, host: "db-1", at: base + 5_000_000, unit: "postgresql.service", identifier: "postgres", priority: 2, message: "PANIC"),
            ]))
            func seqnums(_ query: JournalQuery) async throws -> [Int64] { try await journal.entries(query).map(\.seqnum) }
            #expect(try await seqnums(JournalQuery()) == [5, 4, 3, 2, 1])
            #expect(try await seqnums(JournalQuery(host: "web-1")) == [4, 3, 2, 1])
            #expect(try await seqnums(JournalQuery(unit: "nginx.service")) == [2, 1])
            #expect(try await seqnums(JournalQuery(container: "api")) == [4])
            #expect(try await seqnums(JournalQuery(identifier: "sshd")) == [3])
            #expect(try await seqnums(JournalQuery(maxPriority: 3)) == [5, 2])
            #expect(try await seqnums(JournalQuery(text: "timed out")) == [2])
            // LIKE's own characters are matched literally.
            #expect(try await seqnums(JournalQuery(text: "100%")) == [4])
            #expect(try await seqnums(JournalQuery(text: "t_med")) == [])
            #expect(try await seqnums(JournalQuery(text: "done_ok")) == [4])
            #expect(try await seqnums(JournalQuery(text: "' OR 1=1 --")) == [])
            // With a host, PostgreSQL searches that host's entries another way: the same answers.
            #expect(try await seqnums(JournalQuery(host: "web-1", text: "timed out")) == [2])
            #expect(try await seqnums(JournalQuery(host: "web-1", text: "100%")) == [4])
            #expect(try await seqnums(JournalQuery(host: "web-1", text: "t_med")) == [])
            #expect(try await seqnums(JournalQuery(host: "web-1", text: "' OR 1=1 --")) == [])
            #expect(try await seqnums(JournalQuery(host: "db-1", text: "panic")) == [5])
            let from = Date(microseconds: base + 2_000_000), to = Date(microseconds: base + 4_000_000)
            #expect(try await seqnums(JournalQuery(from: from, to: to)) == [4, 3, 2])
            #expect(try await seqnums(JournalQuery(host: "web-1", maxPriority: 5, from: from)) == [4, 3, 2])
        }
    }

    @Test(arguments: Engine.available)
    func keysetPagesWalkEveryEntryOnce(_ engine: Engine) async throws {
        try await TestStores.withJournal(engine) { (journal: any JournalStore) async throws in
            let base = F.ago(300)
            // Several entries share one microsecond: the id orders them.
            _ = try await journal.insert(F.rows((0..<25).map { F.row($0, at: base + $0 / 3) }))
            var seen: [Int64] = []
            var query = JournalQuery(limit: 10)
            var pages = 0
            while true {
                let page = JournalPage(entries: try await journal.entries(query), query: query)
                seen += page.entries.map(\.seqnum)
                pages += 1
                guard let older = page.older, let position = JournalPosition(token: older) else { break }
                query.page = .before(position)
                #expect(pages < 10)
            }
            #expect(seen.count == 25)
            #expect(Set(seen).count == 25)
            #expect(pages == 3)
            #expect(try await journal.entries(JournalQuery(limit: 1)).first?.seqnum == seen.first)
            // Newer than the oldest entry: the entries just above it, newest first.
            let last = try #require(try await journal.entries(JournalQuery(limit: 1000)).last)
            let newer = try await journal.entries(JournalQuery(limit: 3, page: .after(last.position)))
            #expect(newer.count == 3)
            #expect(newer.map(\.seqnum) == Array(seen.reversed().dropFirst().prefix(3).reversed()))
        }
    }

    @Test(arguments: Engine.available)
    func retentionDropsOldEntries(_ engine: Engine) async throws {
        try await TestStores.withJournal(engine, retention: TimeSpan(seconds: 2 * 86400)) { (journal: any JournalStore) async throws in
            let now = Date()
            let past = now.addingTimeInterval(-5 * 86400)
            // Entries stored 5 days ago, when their partition existed, are gone after today's maintenance.
            _ = try await journal.maintain(now: past)
            #expect(try await journal.insert(F.rows([F.row(1, at: past.microseconds)])) == 1)
            #expect(try await journal.insert(F.rows([F.row(2, at: now.microseconds)])) == 1)
            let report = try await journal.maintain(now: now)
            #expect(report.rowsDeleted > 0 || !report.partitionsDropped.isEmpty)
            #expect(try await journal.entries(JournalQuery()).map(\.seqnum) == [2])
        }
    }

    /// `JOURNAL_DATABASE_URL` puts the journal in a database of its own, even beside SQLite.
    @Test func theJournalCanLiveInADatabaseOfItsOwn() async throws {
        guard Engine.available.contains(.postgres) else { return }
        var (config, cleanupMain) = try await TestStores.config(.sqlite)
        let (journalConfig, cleanupJournal) = try await TestStores.config(.postgres)
        config.journalDatabaseURL = journalConfig.databaseURL
        let final = config
        do {
            try await withStores(final, logger: TestStores.logger) { stores in
                try await stores.migrate()
                #expect(stores.store.engine == "sqlite")
                #expect(stores.journal.engine.hasPrefix("postgres"))
                #expect(try await stores.journal.insert(F.rows([F.row(1, at: F.ago(10))])) == 1)
            }
            // The entry is in the journal's database, where the main store never wrote.
            let url = try #require(journalConfig.databaseURL)
            let count = try await runCommand("/usr/bin/psql", [url, "-Atc", "SELECT count(*) FROM journal_entries"])
            #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            let tables = try await runCommand("/usr/bin/psql", [url, "-Atc", "SELECT count(*) FROM pg_tables WHERE tablename = 'checks'"])
            #expect(tables.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        } catch {
            await cleanupMain()
            await cleanupJournal()
            throw error
        }
        await cleanupMain()
        await cleanupJournal()
    }

    /// Native partitions keep the trigram index, for searches of every host; on TimescaleDB,
    /// journal migration 2 drops it (checked by hand: CI has no TimescaleDB).
    @Test func nativePartitionsKeepTheTrigramIndex() async throws {
        try await TestStores.withJournal(.postgres) { (journal: any JournalStore) async throws in
            let store = try #require(journal as? PostgresJournalStore)
            #expect(store.engine == "postgres")
            var indexes: [String] = []
            let rows = try await store.client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'journal_entries'", logger: TestStores.logger)
            for try await name in rows.decode(String.self) { indexes.append(name) }
            #expect(indexes.contains("journal_entries_message_trgm"), "\(indexes)")
        }
    }
}
