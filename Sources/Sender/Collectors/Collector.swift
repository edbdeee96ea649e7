import Shared

/// One source of observations (node_exporter's collector): enabled by name, pointed at a root.
protocol Collector: Sendable {
    /// The name used to enable or disable it: `memory`, `disk`, `load`, `cpu` ….
    static var name: String { get }
    func collect(_ context: CollectContext) -> [Observation]
}

/// Where collectors read from, and what they were asked for.
struct CollectContext: Sendable {
    /// `/` on a live system; a fixture tree in tests (`--root`).
    var root: String = "/"
    /// True when the user named this collector explicitly, so a missing source is an error.
    var explicit: Bool = false
    /// Where collectors that report deltas keep the previous run's counters.
    var stateDir: String = "/var/lib/metrics-sender"
    /// Monotonic seconds (`Clock`) by which collection ends, so the report still has time to go out.
    var deadline = Double.infinity

    var pastDeadline: Bool { Clock.now() >= deadline }
    /// What a step that can hang (a command, a connection) may take: its own timeout, cut to the
    /// time left before the deadline.
    func timeout(_ own: TimeSpan) -> Double { max(0, min(Double(own.seconds), deadline - Clock.now())) }

    /// `proc("mdstat")` → `<root>/proc/mdstat`.
    func proc(_ relative: String) -> String { join("proc", relative) }
    /// `sys("block/md0/md/array_state")` → `<root>/sys/block/md0/md/array_state`.
    func sys(_ relative: String) -> String { join("sys", relative) }
    /// The state file `name` of a collector that keeps counters between runs.
    func state<Value: StateText>(_ name: String, as: Value.Type = Value.self) -> StateFile<Value> {
        StateFile(directory: stateDir, name: name)
    }
    /// A path on the measured system, below the root.
    func path(_ absolute: String) -> String { root == "/" ? absolute : join(absolute) }

    private func join(_ parts: String...) -> String {
        var result = root.hasSuffix("/") ? String(root.dropLast()) : root
        for part in parts {
            let trimmed = part.hasPrefix("/") ? String(part.dropFirst()) : part
            result += "/" + trimmed
        }
        return result.isEmpty ? "/" : result
    }
}
