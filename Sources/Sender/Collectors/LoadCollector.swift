import Shared

/// The load average per online CPU (`load`), with pressure stall information where the kernel
/// has it (/proc/pressure, 4.20+) as details: how much of the last minute tasks waited.
struct LoadCollector: Collector {
    static let name = "load"

    func collect(_ context: CollectContext) -> [Observation] {
        let text: String
        do { text = try FileReader.read(context.proc("loadavg"), limit: 4096) } catch {
            guard context.explicit || context.root == "/" else { return [] }
            return [failure(error.description)]
        }
        guard let load = Loadavg.parse(text) else { return [failure("\(context.proc("loadavg")) holds no load averages")] }
        let cpus = FileReader.readIfPresent(context.sys("devices/system/cpu/online")).flatMap { OnlineCPUs.count(list: $0) }
            ?? (try? FileReader.read(context.proc("stat"), limit: 1 << 20)).flatMap { OnlineCPUs.count(stat: $0) }
        guard let cpus else { return [failure("cannot count the online CPUs: neither \(context.sys("devices/system/cpu/online")) nor \(context.proc("stat")) says")] }
        var details: [String: JSONValue] = [
            "load1": .number(load.load1), "load5": .number(load.load5), "load15": .number(load.load15), "cpus": .number(Double(cpus)),
        ]
        for resource in Pressure.resources {
            guard let text = FileReader.readIfPresent(context.proc("pressure/\(resource)")) else { continue }
            for line in Pressure.parse(text) { details[Pressure.key(resource: resource, scope: line.scope)] = .number(line.avg60) }
        }
        let perCPU = (load.load1 / Double(cpus) * 100).rounded() / 100
        return [Observation(name: "load", kind: .load, value: perCPU, details: details)]
    }

    private func failure(_ message: String) -> Observation {
        Observation(name: "load", kind: .load, status: ObservationStatus.error, error: message)
    }
}
