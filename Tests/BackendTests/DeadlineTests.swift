import Synchronization
import Testing
@testable import Backend

/// `withDeadline` answers with the work's result, or nil once its limit passes, and one watch
/// keeps every call's deadline.
@Suite struct DeadlineTests {
    /// Polls until `condition` holds, for at most `seconds`: generous, because every suite runs at
    /// once on two cores.
    static func eventually(_ seconds: Double = 60, _ condition: () -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < end else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    @Test func answersWithTheWorksResultOrItsError() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(10))
        let value = await withDeadline(.seconds(30), watch: watch) { 42 }
        #expect(try value?.get() == 42)
        struct Failed: Error {}
        let failure = await withDeadline(.seconds(30), watch: watch) { () async throws -> Int in throw Failed() }
        #expect(throws: Failed.self) { try failure?.get() }
        #expect(watch.count == 2)  // answered, their deadlines still wait, and do nothing
    }

    @Test func answersNilOnceTheLimitPassesAndCancelsTheWork() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(10))
        let cancelled = Flag()
        let answer = await withDeadline(.milliseconds(50), watch: watch) { () async throws -> Int in
            // Work that would go on for a minute, like a pool waiting for a dead server.
            do { try await Task.sleep(for: .seconds(60)) } catch { cancelled.set() }
            return 1
        }
        #expect(answer == nil)
        #expect(try await Self.eventually { cancelled.isSet })
        #expect(watch.count == 0)
    }

    @Test func aTicketDoneInTimeNeverFires() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(10))
        let fired = Fired()
        let tickets = (0..<100).map { index in watch.watch(until: .now + .milliseconds(30)) { fired.list.withLock { $0.append(index) } } }
        for (index, ticket) in tickets.enumerated() where index % 2 == 0 { ticket.done() }
        // Fired in deadline order, the done ones among them: once the last has fired, all were seen.
        #expect(try await Self.eventually { fired.list.withLock { $0.contains(99) } && watch.count == 0 }, "fired \(fired.list.withLock { $0.count }), waiting \(watch.count)")
        #expect(fired.list.withLock { $0.sorted() } == Array(stride(from: 1, to: 100, by: 2)))
        // The watch stopped with nothing to watch, and starts again for a new deadline.
        let late = Flag()
        _ = watch.watch(until: .now) { late.set() }
        #expect(try await Self.eventually { late.isSet })
    }
}

final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

final class Fired: Sendable {
    let list = Mutex<[Int]>([])
}
