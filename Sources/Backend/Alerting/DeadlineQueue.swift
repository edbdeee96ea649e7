import Foundation
import HeapModule
import Synchronization

/// When each check must be evaluated next, earliest first. Ingest and the API push times as they
/// learn them; the scheduler takes what is due. A check is queued once, at its earliest time.
final class DeadlineQueue: Sendable {
    private struct Entry: Comparable {
        var at: Date
        var id: Int64
        static func < (a: Entry, b: Entry) -> Bool { a.at < b.at }
    }

    private struct State {
        var heap = Heap<Entry>()
        var queued: [Int64: Date] = [:]
        /// The rescan generation of each check's latest push.
        var pushedIn: [Int64: Int] = [:]
        var generation = 0
    }

    private let state = Mutex(State())

    /// Queues the check at `at` unless it is already queued at that time or earlier.
    func push(_ id: Int64, at: Date) {
        state.withLock { state in
            if let queued = state.queued[id], queued <= at { return }
            state.queued[id] = at
            state.pushedIn[id] = state.generation
            state.heap.insert(Entry(at: at, id: id))
        }
    }

    /// Queues each check at `at` only if it is not queued at all: a check ingest left alone gets
    /// looked at once, in case nothing had it queued (a heartbeat's first ping). One lock for all:
    /// ingest calls this with every unchanged check of a batch.
    func pushIfAbsent(_ ids: [Int64], at: Date) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            for id in ids where state.queued[id] == nil {
                state.queued[id] = at
                state.pushedIn[id] = state.generation
                state.heap.insert(Entry(at: at, id: id))
            }
        }
    }

    /// Starts a rescan: pushes from now on survive its `replaceAll`.
    func beginRescan() -> Int {
        state.withLock { state in
            state.generation += 1
            return state.generation
        }
    }

    /// Replaces what is queued with a rescan of every check, keeping what was pushed since the
    /// rescan began (it may be newer than what the rescan read). Deleted checks drop out here.
    func replaceAll(_ entries: [(id: Int64, at: Date)], generation: Int) {
        state.withLock { state in
            var queued = Dictionary(entries.map { ($0.id, $0.at) }, uniquingKeysWith: min)
            var pushedIn: [Int64: Int] = [:]
            for (id, pushed) in state.pushedIn where pushed >= generation {
                guard let at = state.queued[id] else { continue }
                queued[id] = min(queued[id] ?? at, at)
                pushedIn[id] = pushed
            }
            state.queued = queued
            state.pushedIn = pushedIn
            state.heap = Heap(queued.map { Entry(at: $0.value, id: $0.key) })
        }
    }

    /// Takes up to `limit` checks due at `now`.
    func takeDue(now: Date, limit: Int) -> [Int64] {
        state.withLock { state in
            var due: [Int64] = []
            while due.count < limit, let first = state.heap.min, first.at <= now {
                state.heap.removeMin()
                // An entry superseded by an earlier push was already taken.
                guard state.queued[first.id] == first.at else { continue }
                state.queued[first.id] = nil
                state.pushedIn[first.id] = nil
                due.append(first.id)
            }
            return due
        }
    }

    var next: Date? {
        state.withLock { state in
            while let first = state.heap.min, state.queued[first.id] != first.at { state.heap.removeMin() }
            return state.heap.min?.at
        }
    }

    var count: Int { state.withLock { $0.queued.count } }
}

/// Wakes a waiting loop early (new messages in the outbox); a wake with nobody waiting is kept.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: (token: Int, continuation: CheckedContinuation<Void, Never>)?
        /// A timer that fired before its wait began.
        var expired: Int?
        var tokens = 0
    }

    private let state = Mutex(State())

    func wake() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns on a wake, or after `timeout`. A wake while nobody waits is kept for the next
    /// wait; a timer only ends its own wait. (Clearing the kept wake after every wait lost the
    /// wakes that came while the caller worked, and a flip then waited for the timeout.)
    func wait(timeout: Duration) async {
        let token = state.withLock { state in
            state.tokens += 1
            return state.tokens
        }
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            self?.expire(token)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.pending || state.expired == token {
                    state.pending = false
                    state.expired = nil
                    return true
                }
                state.waiter = (token, continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
    }

    private func expire(_ token: Int) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard let waiter = state.waiter else {
                // Only the newest wait's timer counts: an older one that fired late must not
                // overwrite it.
                if token == state.tokens { state.expired = token }
                return nil
            }
            guard waiter.token == token else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
