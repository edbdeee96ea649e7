#if canImport(Glibc)
import Glibc
#endif
import Shared

/// Every systemd unit in the `failed` state, one check `unit:NAME` each (status `failed`), asked of
/// systemd on the system bus (`FailedUnitsBus`), or from `systemctl list-units --state=failed`
/// when the bus cannot answer (no libsystemd, no D-Bus daemon, a systemd before 230). A unit that
/// was reported failed and no longer is gets one `ok` report, so its alert recovers at once;
/// `units.state` in the state directory remembers.
struct UnitCollector: Collector {
    static let name = "unit"
    static let searchPaths = ["/usr/bin/systemctl", "/bin/systemctl"]

    /// The systemctl binary; nil: the first of `searchPaths`, and only where systemd runs as init.
    var command: String?
    var timeout = TimeSpan(seconds: 5)

    func collect(_ context: CollectContext) -> [Observation] {
        // systemd answers for the live system, so a fixture tree (--root) has no units to show.
        guard context.root == "/" else { return [] }
        let units: [FailedUnit]
        do {
            guard let listed = try failedUnits(context) else {
                return context.explicit ? [failure("systemd is not running as init here, so no unit can be failed")] : []
            }
            units = listed
        } catch { return [failure(error.message)] }
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

    /// The bus where systemd is init (sd_booted(3): /run/systemd/system exists), or wherever
    /// DBUS_SYSTEM_BUS_ADDRESS names a system bus; then systemctl: the one named, or where systemd
    /// is init the one installed. nil when neither applies.
    private func failedUnits(_ context: CollectContext) throws(UnitListError) -> [FailedUnit]? {
        let booted = FileReader.exists("/run/systemd/system")
        let namedBus = getenv("DBUS_SYSTEM_BUS_ADDRESS").map { $0.pointee != 0 } ?? false
        var busProblem: String?
        if booted || namedBus {
            do { return try FailedUnitsBus.list(timeout: context.timeout(timeout)) } catch { busProblem = error.message }
        }
        guard let systemctl = command ?? (booted ? Self.searchPaths.first(where: FileReader.exists) : nil) else {
            if let busProblem { throw UnitListError(message: "the system bus: \(busProblem)") }
            return nil
        }
        do { return try FailedUnits.parse(try Subprocess.output(systemctl, FailedUnits.arguments, timeout: context.timeout(timeout))) } catch {
            throw UnitListError(message: "\(error)" + (busProblem.map { "; the system bus before it: \($0)" } ?? ""))
        }
    }

    private func checkName(_ unit: String) -> String {
        PrintableName.shorten("unit:\(PrintableName.escape(unit.utf8))")
    }

    private func failure(_ message: String) -> Observation {
        Observation(name: "unit", kind: .unit, status: ObservationStatus.error, error: String(message.prefix(900)))
    }
}
