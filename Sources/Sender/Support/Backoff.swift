#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time and sleeping, without Foundation or Dispatch.
enum Clock {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `5s`, `2.5s`: a duration in messages, to a tenth of a second.
    static func words(_ seconds: Double) -> String {
        let tenths = Int((max(0, min(seconds, 1e9)) * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
    }

    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var left = timespec()
        while nanosleep(&spec, &left) != 0 && errno == EINTR { spec = left }
    }
}

/// Retry delays that double from `first` and never run past a deadline: a sender started by a
/// one-minute timer must be gone before the next run starts.
struct Backoff {
    private var next: Double
    private let maximum: Double
    private let deadline: Double

    init(budget: Double, first: Double = 1, maximum: Double = 8) {
        self.next = first
        self.maximum = maximum
        self.deadline = Clock.now() + budget
    }

    var remaining: Double { deadline - Clock.now() }

    /// Sleeps before the next attempt; false when no attempt fits in the budget any more.
    mutating func wait(attemptTakes: Double) -> Bool {
        guard remaining > next + min(attemptTakes, 2) else { return false }
        Clock.sleep(seconds: next)
        next = min(next * 2, maximum)
        return true
    }
}
