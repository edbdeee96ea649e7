/// Counters as read at one moment, kept to take the next run's deltas from: named rows of
/// numbers (`cpu`, an interface, a container id). Kept as plain text, because JSON's Codable
/// machinery costs a run more than everything else a counter collector does.
struct CounterBaseline: Equatable, Sendable {
    /// Counters restart at boot: a baseline from another boot is no baseline.
    var bootId: String?
    /// Seconds since boot (/proc/uptime): a clock that neither jumps nor stops in a fixture tree.
    var uptime: Double?
    var rows: [String: [UInt64]] = [:]

    /// Seconds from `previous` to this, or nil when the two cannot be compared.
    func seconds(since previous: CounterBaseline) -> Double? {
        guard previous.bootId == bootId, let now = uptime, let then = previous.uptime, now > then else { return nil }
        return now - then
    }
}

extension CounterBaseline: StateText {
    /// `boot ID`, `uptime SECONDS`, then one `NAME<tab>N N …` line per row, sorted. A name with a
    /// tab or a line break cannot be written and is left out.
    var stateText: String {
        var lines = ["boot \(bootId ?? "-")", "uptime \(uptime.map { String($0) } ?? "-")"]
        for name in rows.keys.sorted() where !name.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            lines.append(name + "\t" + (rows[name] ?? []).map(String.init).joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    init?(stateText text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count >= 2, lines[0].hasPrefix("boot "), lines[1].hasPrefix("uptime ") else { return nil }
        let boot = lines[0].dropFirst(5), clock = lines[1].dropFirst(7)
        bootId = boot == "-" ? nil : String(boot)
        if clock == "-" { uptime = nil } else {
            guard let seconds = Double(clock), seconds.isFinite else { return nil }
            uptime = seconds
        }
        for line in lines.dropFirst(2) {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            let numbers = parts[1].split(separator: " ").map { UInt64($0) }
            guard !numbers.contains(nil) else { return nil }
            rows[String(parts[0])] = numbers.map { $0 ?? 0 }
        }
    }
}

/// The moment a collector reads its counters at: boot id and uptime under the root.
enum CounterClock {
    static func baseline(_ rows: [String: [UInt64]], _ context: CollectContext) -> CounterBaseline {
        let bootId = FileReader.readIfPresent(context.proc("sys/kernel/random/boot_id"))?.trimmingNewline()
        let uptime = FileReader.readIfPresent(context.proc("uptime")).flatMap(Uptime.parse)
        return CounterBaseline(bootId: bootId, uptime: uptime, rows: rows)
    }
}
