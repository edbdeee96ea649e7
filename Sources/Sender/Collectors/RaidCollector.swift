import Shared

/// Software RAID state from /proc/mdstat, enriched from /sys/block/mdX/md when present
/// (node_exporter's mdadm collector). mdstat alone is enough to be right.
struct RaidCollector: Collector {
    static let name = "raid"

    func collect(_ context: CollectContext) -> [Observation] {
        let text: String
        do { text = try FileReader.read(context.proc("mdstat")) } catch {
            // No md driver loaded: no arrays, nothing to say unless the user asked for RAID.
            guard context.explicit else { return [] }
            return [Observation(name: "raid", kind: .raid, status: ObservationStatus.error, error: error.description)]
        }
        return Mdstat.parse(text).map { array in
            Self.observation(for: array, sysfs: RaidSysfs.read(array.name, context: context))
        }
    }

    static func observation(for array: RaidArray, sysfs: RaidSysfs?) -> Observation {
        let failed = array.members.filter { $0.flags.contains("F") }.count
        let spare = array.members.filter { $0.flags.contains("S") }.count
        // raid0 and linear print no [n/m]: every member that has not failed is needed and active.
        let required = array.disksRequired ?? (array.members.count - failed - spare)
        let inSync = array.disksInSync ?? required
        let inactive = !array.active || sysfs?.arrayState == "inactive"
        let degraded = inSync < required || failed > 0 || (sysfs?.degraded ?? 0) > 0

        var details: [String: JSONValue] = [
            "arrayState": .string(inactive ? "inactive" : array.readOnlyMode ?? "active"),
            "disksRequired": .number(Double(required)),
            "disksActive": .number(Double(inSync)),
            "disksFailed": .number(Double(failed)),
            "disksSpare": .number(Double(spare)),
            "members": .array(array.members.sorted { $0.slot < $1.slot }.map(memberDetails)),
        ]
        if let level = array.level ?? sysfs?.level { details["level"] = .string(level) }
        if let blocks = array.blocks { details["blocks"] = .number(Double(blocks)) }
        if let metadata = array.metadata { details["metadata"] = .string(metadata) }
        if let bitmap = array.bitmap { details["bitmap"] = .string(bitmap) }
        if let sysState = sysfs?.arrayState { details["sysArrayState"] = .string(sysState) }
        if let sync = array.sync ?? sysfs?.runningSync {
            details["syncAction"] = .string(sync.action)
            details["syncState"] = .string(sync.state)
            if let percent = sync.percent { details["syncPercent"] = .number(percent) }
            if let minutes = sync.finishMinutes { details["syncFinishMinutes"] = .number(minutes) }
            if let speed = sync.speedKiBps { details["syncSpeedKiBps"] = .number(speed) }
        }
        let status = inactive ? ObservationStatus.inactive : degraded ? ObservationStatus.degraded : ObservationStatus.ok
        return Observation(name: "raid:\(array.name)", kind: .raid, status: status, details: details)
    }

    private static func memberDetails(_ member: RaidMember) -> JSONValue {
        var fields: [String: JSONValue] = [
            "device": .string(member.device), "slot": .number(Double(member.slot)), "state": .string(member.state),
        ]
        if member.flags.contains("W") { fields["writeMostly"] = true }
        return .object(fields)
    }
}

/// What /sys/block/mdX/md/ adds to mdstat.
struct RaidSysfs: Equatable, Sendable {
    var arrayState: String?
    var degraded: Int?
    var syncAction: String?
    var level: String?

    /// A sync the kernel runs that mdstat did not show a progress line for.
    var runningSync: RaidSync? {
        guard let syncAction, syncAction != "idle", syncAction != "frozen" else { return nil }
        return RaidSync(action: syncAction == "recover" ? "recovery" : syncAction, state: "running")
    }

    static func read(_ name: String, context: CollectContext) -> RaidSysfs? {
        let base = "block/\(name)/md/"
        guard FileReader.exists(context.sys(base)) else { return nil }
        func value(_ file: String) -> String? { FileReader.readIfPresent(context.sys(base + file))?.trimmingNewline() }
        return RaidSysfs(
            arrayState: value("array_state"), degraded: value("degraded").flatMap { Int($0) },
            syncAction: value("sync_action"), level: value("level"))
    }
}
