import Shared

/// CPU busy % and iowait % since the previous run, from /proc/stat deltas kept in the state
/// directory (`cpu.state`). The first run, and the first after a reboot, reports nothing.
struct CPUCollector: Collector {
    static let name = "cpu"

    func collect(_ context: CollectContext) -> [Observation] {
        let text: String
        do { text = try FileReader.read(context.proc("stat"), limit: 1 << 20) } catch {
            guard context.explicit || context.root == "/" else { return [] }
            return [failure(error.description)]
        }
        guard let times = ProcStat.parse(text) else { return [failure("\(context.proc("stat")) has no readable cpu line")] }
        let file = context.state("cpu.state", as: CounterBaseline.self)
        let previous = file.load()
        let current = CounterClock.baseline(["cpu": times.values], context)
        if let problem = file.save(current) { return [failure("cannot keep the CPU counters between runs: \(problem)")] }
        guard let previous, previous.bootId == current.bootId, let old = previous.rows["cpu"].flatMap(CPUTimes.init(values:)),
            let usage = ProcStat.usage(from: old, to: times)
        else { return [] }
        return [
            Observation(
                name: "cpu", kind: .cpu, value: usage.busyPercent, unit: "%",
                details: ["iowaitPercent": .number(usage.iowaitPercent), "stealPercent": .number(usage.stealPercent)])
        ]
    }

    private func failure(_ message: String) -> Observation {
        Observation(name: "cpu", kind: .cpu, status: ObservationStatus.error, error: message)
    }
}
