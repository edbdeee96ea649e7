import Shared

/// Every systemd unit in the `failed` state, one check `unit:NAME` each (status `failed`), from
/// `systemctl list-units --state=failed`. A unit that was reported failed and no longer is gets
/// one `ok` report, so its alert recovers at once; `units.state` in the state directory remembers.
struct UnitCollector: Collector {
    static let name = "unit"
    static let searchPaths = ["/usr/bin/systemctl", "/bin/systemctl"]

    /// The systemctl binary; nil: the first of `searchPaths`, and only where systemd runs as init.
    var command: String?
    var timeout = TimeSpan(seconds: 5)

    func collect(_ context: CollectContext) -> [Observation] {
        // systemctl asks the live systemd, so a fixture tree (--root) has no units to show.
        guard context.root == "/" else { return [] }
        let path: String
        if let command {
            path = command
        } else {
            // sd_booted(3): systemd is init exactly when this directory exists.
            guard FileReader.exists("/run/systemd/system"), let found = Self.searchPaths.first(where: FileReader.exists) else {
                return context.explicit ? [failure("systemd is not running as init here, so no unit can be failed")] : []
            }
            path = found
        }
        let units: [FailedUnit]
        do { units = try FailedUnits.parse(try Subprocess.output(path, FailedUnits.arguments, timeout: context.timeout(timeout))) } catch {
            return [failure("\(error)")]
        }
        let file = context.state("units.state", as: CounterBaseline.self)
        let failedNow = units.map(\.unit)
        let recovered = (file.load()?.rows.keys.sorted() ?? []).filter { !failedNow.contains($0) }.prefix(FailedUnits.limit)
        var list = CounterBaseline()
        for unit in failedNow { list.rows[unit] = [] }
        if let problem = file.save(list) { StandardStreams.warn("unit: \(problem)") }
        let failed = units.map { unit in
            var details: [String: JSONValue] = [:]
            if let value = unit.load { details["load"] = .string(value) }
            if let value = unit.active { details["active"] = .string(value) }
            if let value = unit.sub { details["sub"] = .string(value) }
            if let value = unit.description { details["description"] = .string(String(value.prefix(200))) }
            return Observation(name: checkName(unit.unit), kind: .unit, status: ObservationStatus.failed, details: details)
        }
        return failed + recovered.map { Observation(name: checkName($0), kind: .unit, status: ObservationStatus.ok) }
    }

    private func checkName(_ unit: String) -> String {
        PrintableName.shorten("unit:\(PrintableName.escape(unit.utf8))")
    }

    private func failure(_ message: String) -> Observation {
        Observation(name: "unit", kind: .unit, status: ObservationStatus.error, error: message)
    }
}
