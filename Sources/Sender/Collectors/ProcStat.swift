/// The aggregate `cpu` line of /proc/stat, in clock ticks since boot.
struct CPUTimes: Equatable, Sendable {
    var user: UInt64 = 0
    var nice: UInt64 = 0
    var system: UInt64 = 0
    var idle: UInt64 = 0
    var iowait: UInt64 = 0
    var irq: UInt64 = 0
    var softirq: UInt64 = 0
    var steal: UInt64 = 0

    /// The eight counters in /proc/stat's order, as a state file keeps them.
    var values: [UInt64] { [user, nice, system, idle, iowait, irq, softirq, steal] }

    init(user: UInt64 = 0, nice: UInt64 = 0, system: UInt64 = 0, idle: UInt64 = 0, iowait: UInt64 = 0, irq: UInt64 = 0,
         softirq: UInt64 = 0, steal: UInt64 = 0) {
        (self.user, self.nice, self.system, self.idle) = (user, nice, system, idle)
        (self.iowait, self.irq, self.softirq, self.steal) = (iowait, irq, softirq, steal)
    }

    init?(values v: [UInt64]) {
        guard v.count == 8 else { return nil }
        self.init(user: v[0], nice: v[1], system: v[2], idle: v[3], iowait: v[4], irq: v[5], softirq: v[6], steal: v[7])
    }

    /// guest and guest_nice are already inside user and nice, so they are not added again.
    var total: UInt64 { user &+ nice &+ system &+ idle &+ iowait &+ irq &+ softirq &+ steal }
}

/// Shares of CPU time between two readings, in percent.
struct CPUUsage: Equatable, Sendable {
    var busyPercent: Double
    var iowaitPercent: Double
    var stealPercent: Double
}

/// /proc/stat in, CPU times out; two readings in, usage out. Pure.
enum ProcStat {
    /// `cpu  59629 3 13225 327066 518 0 81 247 0 0`: at least user, nice, system and idle; later
    /// fields appeared with later kernels (iowait 2.5.41, irq/softirq 2.6.0, steal 2.6.11).
    static func parse(_ text: String) -> CPUTimes? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(4) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.first == "cpu" else { continue }
            var values = fields.dropFirst().prefix(8).map { UInt64($0) }
            guard values.count >= 4, !values.contains(nil) else { return nil }
            values += Array(repeating: 0, count: 8 - values.count)
            let v = values.map { $0 ?? 0 }
            return CPUTimes(user: v[0], nice: v[1], system: v[2], idle: v[3], iowait: v[4], irq: v[5], softirq: v[6], steal: v[7])
        }
        return nil
    }

    /// nil when no tick passed, or a counter went back (a reboot, another machine's counters).
    static func usage(from old: CPUTimes, to new: CPUTimes) -> CPUUsage? {
        let pairs = [(old.user, new.user), (old.nice, new.nice), (old.system, new.system), (old.idle, new.idle),
                     (old.iowait, new.iowait), (old.irq, new.irq), (old.softirq, new.softirq), (old.steal, new.steal)]
        guard pairs.allSatisfy({ $0.1 >= $0.0 }) else { return nil }
        // Each counter's own delta, summed as Double: the counters' sum may have wrapped.
        let deltas = pairs.map { Double($0.1 - $0.0) }
        let total = deltas.reduce(0, +)
        guard total > 0 else { return nil }
        // iowait is idle time spent waiting for I/O: not busy.
        let idle = deltas[3] + deltas[4]
        return CPUUsage(
            busyPercent: rounded(100 * (total - idle) / total), iowaitPercent: rounded(100 * deltas[4] / total),
            stealPercent: rounded(100 * deltas[7] / total))
    }

    private static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
