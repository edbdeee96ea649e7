/// Counters as read at one moment, kept to take the next run's deltas from.
struct CounterBaseline<Counters: Codable & Sendable>: Codable, Sendable {
    /// Counters restart at boot: a baseline from another boot is no baseline.
    var bootId: String?
    /// Seconds since boot (/proc/uptime): a clock that neither jumps nor stops in a fixture tree.
    var uptime: Double?
    var counters: Counters

    /// Seconds from `previous` to this, or nil when the two cannot be compared.
    func seconds(since previous: CounterBaseline) -> Double? {
        guard previous.bootId == bootId, let now = uptime, let then = previous.uptime, now > then else { return nil }
        return now - then
    }
}

/// The moment a collector reads its counters at: boot id and uptime under the root.
enum CounterClock {
    static func baseline<Counters>(_ counters: Counters, _ context: CollectContext) -> CounterBaseline<Counters> {
        let bootId = FileReader.readIfPresent(context.proc("sys/kernel/random/boot_id"))?.trimmingNewline()
        let uptime = FileReader.readIfPresent(context.proc("uptime")).flatMap(Uptime.parse)
        return CounterBaseline(bootId: bootId, uptime: uptime, counters: counters)
    }
}
