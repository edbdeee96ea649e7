import HeapModule
import Synchronization

/// The deadlines of `withDeadline` calls, watched by one task for all of them. A sleeping task per
/// call cost every request a task and a timer that stayed alive for the whole limit. Deadlines
/// fire within one tick of their time.
final class DeadlineWatch: Sendable {
    static let shared = DeadlineWatch(tick: .milliseconds(100))

    /// What to do at one deadline, unless the call answered first.
    final class Ticket: Sendable {
        fileprivate let expire: Mutex<(@Sendable () -> Void)?>

        fileprivate init(_ expire: @escaping @Sendable () -> Void) { self.expire = Mutex(expire) }

        /// The call answered in time; its deadline does nothing and frees what it holds.
        func done() { expire.withLock { $0 = nil } }

        fileprivate func fire() { expire.withLock { action in defer { action = nil }; return action }?() }
    }

    private struct Entry: Comparable {
        var at: ContinuousClock.Instant
        var order: UInt64
        var ticket: Ticket

        static func < (a: Entry, b: Entry) -> Bool { (a.at, a.order) < (b.at, b.order) }
        static func == (a: Entry, b: Entry) -> Bool { a.at == b.at && a.order == b.order }
    }

    private struct State {
        var heap = Heap<Entry>()
        var added: UInt64 = 0
        var watching = false
    }

    private let tick: Duration
    private let state = Mutex(State())

    init(tick: Duration) { self.tick = tick }

    /// Calls `expire` at `at`, unless the ticket is done by then.
    func watch(until at: ContinuousClock.Instant, _ expire: @escaping @Sendable () -> Void) -> Ticket {
        let ticket = Ticket(expire)
        let start = state.withLock { state in
            state.added += 1
            state.heap.insert(Entry(at: at, order: state.added, ticket: ticket))
            defer { state.watching = true }
            return !state.watching
        }
        // Its own priority, not the first caller's: a background caller must not slow every deadline.
        if start { Task(priority: .high) { await self.run() } }
        return ticket
    }

    /// Deadlines not yet passed or fired, answered calls included.
    var count: Int { state.withLock { $0.heap.count } }

    private func run() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (due, idle) = state.withLock { state in
                var due: [Ticket] = []
                while let first = state.heap.min, first.at <= now { due.append(state.heap.removeMin().ticket) }
                if state.heap.isEmpty { state.watching = false }
                return (due, state.heap.isEmpty)
            }
            for ticket in due { ticket.fire() }
            if idle { return }
        }
    }
}
