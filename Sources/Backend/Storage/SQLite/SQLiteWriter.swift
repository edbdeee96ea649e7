import Foundation
import SQLiteNIO

/// Serialises every write to the SQLite file and commits them in groups: the jobs waiting when a
/// transaction starts share it, each inside its own savepoint when there are several, so one fsync acknowledges many
/// reports and a failing job rolls back alone. A job's caller hears back only after COMMIT.
actor SQLiteWriter {
    typealias Work = @Sendable (SQLiteConnection) async throws -> any Sendable

    private struct Job {
        var work: Work
        var continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let connection: SQLiteConnection
    private var pending: [Job] = []
    private var draining = false
    /// Jobs per transaction at most, so one group cannot hold the file for long.
    private let maxGroup = 256

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            pending.append(Job(work: { try await work($0) }, continuation: continuation))
            if !draining {
                draining = true
                // Ahead of the requests: every write waits on this task.
                Task(priority: .high) { await self.drain() }
            }
        }
        guard let typed = result as? T else { preconditionFailure("a write job returned another type than it declared") }
        return typed
    }

    private func drain() async {
        while !pending.isEmpty {
            let group = Array(pending.prefix(maxGroup))
            pending.removeFirst(group.count)
            await commit(group)
        }
        draining = false
    }

    private func commit(_ group: [Job]) async {
        var results: [Result<any Sendable, any Error>] = []
        do {
            _ = try await connection.query("BEGIN IMMEDIATE")
        } catch {
            for job in group { job.continuation.resume(throwing: error) }
            return
        }
        if group.count == 1, let job = group.first {
            // Alone, a job needs no savepoint: if it fails, the whole transaction rolls back.
            do {
                results.append(.success(try await job.work(connection)))
            } catch {
                _ = try? await connection.query("ROLLBACK")
                job.continuation.resume(throwing: error)
                return
            }
        } else {
            for job in group {
                do {
                    _ = try await connection.query("SAVEPOINT job")
                    let value = try await job.work(connection)
                    _ = try await connection.query("RELEASE job")
                    results.append(.success(value))
                } catch {
                    _ = try? await connection.query("ROLLBACK TO job")
                    _ = try? await connection.query("RELEASE job")
                    results.append(.failure(error))
                }
            }
        }
        do {
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            for job in group { job.continuation.resume(throwing: error) }
            return
        }
        for (job, result) in zip(group, results) { job.continuation.resume(with: result) }
    }
}

extension SQLiteWriter {
    /// Runs `sql`, a DELETE of at most `slice` rows, until it deletes fewer: each slice its own
    /// write job, so retention never holds the file for long. Returns the rows deleted.
    func deleteInSlices(_ sql: String, _ binds: [SQLiteData], slice: Int) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await write { db in try await db.query(sql, binds).count }
            total += deleted
            if deleted < slice { return total }
        }
    }
}
