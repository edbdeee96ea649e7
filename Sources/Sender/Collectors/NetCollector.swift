#if canImport(Glibc)
import Glibc
#endif
import Shared

/// Receive and transmit errors and drops per interface, per minute since the previous run, from
/// /proc/net/dev deltas kept in the state directory (`net.state`). Loopback and virtual interfaces
/// (those under /sys/devices/virtual/net: bridges, veth, docker0, ifb …) are skipped unless named.
struct NetCollector: Collector {
    static let name = "net"
    /// More interfaces than this (a host with thousands of veths) are not worth a check each.
    static let maxInterfaces = 64

    /// Globs of interface names to report even when virtual; empty: every physical one.
    var include: [String] = []
    var exclude: [String] = []

    func collect(_ context: CollectContext) -> [Observation] {
        let text: String
        do { text = try FileReader.read(context.proc("net/dev"), limit: 1 << 20) } catch {
            guard context.explicit || context.root == "/" else { return [] }
            return [failure(error.description)]
        }
        let interfaces = NetDev.parse(text).filter { admits($0.name, context) }.prefix(Self.maxInterfaces)
        var counters: [String: [UInt64]] = [:]
        for interface in interfaces { counters[interface.name] = interface.errors.values }
        let file = context.state("net.state", as: CounterBaseline.self)
        let previous = file.load()
        let current = CounterClock.baseline(counters, context)
        if let problem = file.save(current) { return [failure("cannot keep the interface counters between runs: \(problem)")] }
        guard let previous, let seconds = current.seconds(since: previous) else { return [] }
        return interfaces.compactMap { interface in
            guard let old = previous.rows[interface.name].flatMap(InterfaceErrors.init(values:)) else { return nil }
            let new = interface.errors
            // A counter that went back: the interface was recreated. Its next run has a baseline.
            guard new.rxErrors >= old.rxErrors, new.txErrors >= old.txErrors, new.rxDropped >= old.rxDropped, new.txDropped >= old.txDropped
            else { return nil }
            func perMinute(_ delta: UInt64) -> Double { (Double(delta) * 60 / seconds * 100).rounded() / 100 }
            let rxErrors = perMinute(new.rxErrors - old.rxErrors), txErrors = perMinute(new.txErrors - old.txErrors)
            return Observation(
                name: PrintableName.shorten("net:\(PrintableName.escape(interface.name.utf8))"), kind: .net,
                value: ((rxErrors + txErrors) * 100).rounded() / 100, unit: "/min",
                details: [
                    "rxErrorsPerMinute": .number(rxErrors), "txErrorsPerMinute": .number(txErrors),
                    "rxDroppedPerMinute": .number(perMinute(new.rxDropped - old.rxDropped)),
                    "txDroppedPerMinute": .number(perMinute(new.txDropped - old.txDropped)),
                    "intervalSeconds": .number(seconds.rounded()),
                ])
        }
    }

    func admits(_ name: String, _ context: CollectContext) -> Bool {
        if exclude.contains(where: { fnmatch($0, name, 0) == 0 }) { return false }
        if include.contains(where: { fnmatch($0, name, 0) == 0 }) { return true }
        if !include.isEmpty { return false }
        return name != "lo" && !FileReader.exists(context.sys("devices/virtual/net/\(name)"))
    }

    private func failure(_ message: String) -> Observation {
        Observation(name: "net", kind: .net, status: ObservationStatus.error, error: message)
    }
}
