import Shared

/// Memory use from /proc/meminfo, as one `memory` observation.
struct MemoryCollector: Collector {
    static let name = "memory"

    func collect(_ context: CollectContext) -> [Observation] {
        let path = context.proc("meminfo")
        let text: String
        do {
            text = try FileReader.read(path)
        } catch {
            // A fixture tree without meminfo simply has no memory to report.
            guard context.explicit || context.root == "/" else { return [] }
            return [Observation(name: "memory", kind: .memory, status: ObservationStatus.error, error: error.description)]
        }
        guard let info = Meminfo.parse(text) else {
            return [Observation(name: "memory", kind: .memory, status: ObservationStatus.error, error: "\(path) has no MemTotal line")]
        }
        var details: [String: JSONValue] = [
            "totalBytes": .number(Double(info.totalBytes)),
            "availableBytes": .number(Double(info.availableBytes)),
            "swapTotalBytes": .number(Double(info.swapTotalBytes)),
            "swapUsedPercent": info.swapUsedPercent.map(JSONValue.number) ?? .null,
        ]
        if !info.availableReported { details["availableEstimated"] = true }
        return [Observation(name: "memory", kind: .memory, value: info.usedPercent, unit: "%", details: details)]
    }
}
