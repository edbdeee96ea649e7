#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Shared

/// Disk health from `smartctl --json -H -A` (smartmontools 7.0+, only where it is installed),
/// one check `smart:DEVICE` each: `failed` when the drive's self-assessment fails, the value the
/// count of reallocated and pending sectors (NVMe: media errors). Disks change slowly and asking
/// them costs, so smartctl runs every `every`; the runs between repeat what it said.
struct SmartCollector: Collector {
    static let name = "smart"
    static let searchPaths = ["/usr/sbin/smartctl", "/sbin/smartctl", "/usr/bin/smartctl"]

    /// The smartctl binary; nil: the first of `searchPaths` that exists.
    var command: String?
    var every = TimeSpan(seconds: 1800)
    var timeout = TimeSpan(seconds: 10)

    func collect(_ context: CollectContext) -> [Observation] {
        // smartctl asks the live disks, so a fixture tree (--root) has none to show.
        guard context.root == "/" else { return [] }
        guard let path = command ?? Self.searchPaths.first(where: FileReader.exists) else {
            return context.explicit ? [failure("smartctl is not installed (apt-get install smartmontools)")] : []
        }
        let file = context.state("smart.json", as: SmartCache.self)
        let now = CounterClock.baseline([:], context)
        if let cached = file.load(), let age = now.seconds(since: cached.clock), age < Double(every.seconds) { return cached.observations }
        let observations = measure(path, context)
        // A failure is not kept: the next run asks again.
        guard !observations.contains(where: { $0.status == ObservationStatus.error }) else { return observations }
        if let problem = file.save(SmartCache(clock: now, observations: observations)) { StandardStreams.warn("smart: \(problem)") }
        return observations
    }

    private func measure(_ path: String, _ context: CollectContext) -> [Observation] {
        let devices: [Smartctl.ScanDevice]
        do {
            let scan = try Subprocess.run(path, Smartctl.scanArguments, timeout: context.timeout(timeout))
            devices = try Smartctl.devices(scan.output)
        } catch { return [failure("\(error)")] }
        return zip(devices, Smartctl.checkNames(devices)).compactMap { device, name in
            guard !context.pastDeadline else {
                return failure("not asked: collection had used its time (half of run_limit) before this disk's turn", name: name)
            }
            do {
                let result = try Subprocess.run(path, Smartctl.healthArguments(device.name, type: device.type), timeout: context.timeout(timeout))
                // Bit 0: smartctl did not understand its command line; bit 1: the device could not
                // be opened, or sleeps (-n standby). Other bits are findings, in the JSON too.
                if result.status & 1 != 0 { return failure("smartctl failed for \(device.name) (status \(result.status))", name: name) }
                if result.status & 2 != 0 { return nil }
                guard let health = try Smartctl.health(result.output, device: device.name) else { return nil }
                return observation(name, health)
            } catch { return failure("\(error)", name: name) }
        }
    }

    private func observation(_ name: String, _ health: SmartHealth) -> Observation {
        var details: [String: JSONValue] = ["device": .string(health.device)]
        if let model = health.model { details["model"] = .string(model) }
        if let passed = health.passed { details["passed"] = .bool(passed) }
        if let value = health.reallocatedSectors { details["reallocatedSectors"] = .number(Double(value)) }
        if let value = health.pendingSectors { details["pendingSectors"] = .number(Double(value)) }
        if let value = health.mediaErrors { details["mediaErrors"] = .number(Double(value)) }
        if let value = health.temperatureCelsius { details["temperatureCelsius"] = .number(Double(value)) }
        return Observation(
            name: name, kind: .smart, value: health.badSectors.map(Double.init), unit: "sectors",
            status: health.passed == false ? ObservationStatus.failed : ObservationStatus.ok, details: details)
    }

    private func failure(_ message: String, name: String = "smart") -> Observation {
        Observation(name: name, kind: .smart, status: ObservationStatus.error, error: String(message.prefix(900)))
    }
}

/// smartctl's last answer and when it was given, as JSON: only hosts with smartctl read it.
struct SmartCache: StateText {
    var clock: CounterBaseline
    var observations: [Observation]

    private struct Stored: Codable {
        var bootId: String?
        var uptime: Double?
        var observations: [Observation]
    }

    init(clock: CounterBaseline, observations: [Observation]) {
        self.clock = clock
        self.observations = observations
    }

    var stateText: String {
        let stored = Stored(bootId: clock.bootId, uptime: clock.uptime, observations: observations)
        return (try? JSONEncoder().encode(stored)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    init?(stateText: String) {
        guard let stored = try? JSONDecoder().decode(Stored.self, from: Data(stateText.utf8)) else { return nil }
        self.init(clock: CounterBaseline(bootId: stored.bootId, uptime: stored.uptime), observations: stored.observations)
    }
}
