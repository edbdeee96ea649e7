#if canImport(Glibc)
import Glibc
#endif
import CSupport
import Shared

/// Usage of every real mount, from /proc/self/mountinfo and statvfs (node_exporter's filesystem
/// collector): `disk:MOUNT` for blocks, and `inodes:MOUNT` where the filesystem has a fixed
/// inode count, so each has its own history, chart and alert.
struct DiskCollector: Collector {
    static let name = "disk"

    var filter = DiskFilter()
    /// How long statvfs may take before a mount counts as stuck (a hung NFS server).
    var statTimeout = TimeSpan(seconds: 2)

    func collect(_ context: CollectContext) -> [Observation] {
        let text: [UInt8]
        do {
            text = try FileReader.readBytes(context.proc("self/mountinfo"))
        } catch {
            guard context.explicit || context.root == "/" else { return [] }
            return [Observation(name: "disk", kind: .disk, status: ObservationStatus.error, error: error.description)]
        }
        let mounts = Self.select(Mountinfo.parse(text), filter: filter)
        let results = Self.statvfsAll(mounts.map { Self.statPath($0, context) }, timeout: statTimeout, deadline: context.deadline)
        return zip(mounts, results).flatMap { observations(for: $0, result: $1) }
    }

    /// The mount point's own bytes below the root: its printable name may have escaped some.
    private static func statPath(_ mount: Mount, _ context: CollectContext) -> [UInt8] {
        guard let raw = mount.path else { return Array(context.path(mount.mountPoint).utf8) }
        return context.root == "/" ? raw : Array(context.path("/").utf8.dropLast()) + raw
    }

    private static func statvfsAll(_ paths: [[UInt8]], timeout: TimeSpan, deadline: Double) -> [csupport_statvfs_result] {
        var results = [csupport_statvfs_result](repeating: csupport_statvfs_result(), count: paths.count)
        guard !paths.isEmpty else { return results }
        // Never empty: the terminating NUL makes a base address.
        let pointers = paths.map { path in (path + [0]).withUnsafeBufferPointer { strdup(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) } }
        defer { pointers.forEach { free($0) } }
        let constPointers = pointers.map { UnsafePointer($0) }
        let budget = deadline.isFinite ? Int32(clamping: Int(max(0, min(deadline - Clock.now(), 1e6)) * 1000)) : -1
        constPointers.withUnsafeBufferPointer { buffer in
            results.withUnsafeMutableBufferPointer { out in
                csupport_statvfs_many(buffer.baseAddress, Int32(paths.count), out.baseAddress, Int32(clamping: timeout.seconds * 1000), budget)
            }
        }
        return results
    }

    /// Admitted mounts, each filesystem once. A mount hidden under a later one at the same point
    /// is dropped; of bind mounts of one device the full mount (root "/") with the shortest path wins.
    static func select(_ mounts: [Mount], filter: DiskFilter) -> [Mount] {
        var visible: [String: Mount] = [:]
        var order: [String] = []
        for mount in mounts {
            if visible[mount.mountPoint] == nil { order.append(mount.mountPoint) }
            visible[mount.mountPoint] = mount
        }
        var byDevice: [String: Mount] = [:]
        var chosen: [String] = []
        for point in order {
            guard let mount = visible[point], filter.admits(mount) else { continue }
            if let current = byDevice[mount.device] {
                if prefer(mount, over: current), let index = chosen.firstIndex(of: current.mountPoint) {
                    byDevice[mount.device] = mount
                    chosen[index] = mount.mountPoint
                }
            } else {
                byDevice[mount.device] = mount
                chosen.append(mount.mountPoint)
            }
        }
        return chosen.compactMap { visible[$0] }
    }

    private static func prefer(_ candidate: Mount, over current: Mount) -> Bool {
        if (candidate.root == "/") != (current.root == "/") { return candidate.root == "/" }
        return candidate.mountPoint.utf8.count < current.mountPoint.utf8.count
    }

    private func observations(for mount: Mount, result: csupport_statvfs_result) -> [Observation] {
        let name = PrintableName.shorten("disk:\(mount.mountPoint)")
        var details: [String: JSONValue] = [
            "mountPoint": .string(mount.mountPoint), "device": .string(mount.source), "fsType": .string(mount.fsType),
        ]
        let rc = result.error
        let buffer = result.stats
        guard rc == 0 else {
            let reason = switch rc {
            case ETIMEDOUT: "statvfs did not answer within \(statTimeout); the mount looks stuck (a hung network filesystem?)"
            case ECANCELED: "not measured: collection had used its time (half of run_limit) before this mount's turn"
            default: "statvfs failed: \(String(cString: strerror(rc)))"
            }
            return [Observation(name: name, kind: .disk, status: ObservationStatus.error, error: reason, details: details)]
        }
        let usage = DiskUsage(
            blockSize: UInt64(buffer.f_frsize), blocks: UInt64(buffer.f_blocks), blocksFree: UInt64(buffer.f_bfree),
            blocksAvailable: UInt64(buffer.f_bavail), files: UInt64(buffer.f_files), filesFree: UInt64(buffer.f_ffree))
        details["sizeBytes"] = .number(Double(usage.sizeBytes))
        details["usedBytes"] = .number(Double(usage.usedBytes))
        details["availBytes"] = .number(Double(usage.availBytes))
        details["freeBytes"] = .number(Double(usage.freeBytes))
        details["inodesUsedPercent"] = usage.inodesUsedPercent.map(JSONValue.number) ?? .null
        let disk = Observation(name: name, kind: .disk, value: usage.usedPercent, unit: "%", details: details)
        guard let inodes = usage.inodesUsedPercent else { return [disk] }
        let inodeDetails: [String: JSONValue] = [
            "mountPoint": .string(mount.mountPoint), "inodes": .number(Double(usage.files)), "inodesFree": .number(Double(usage.filesFree)),
        ]
        return [disk, Observation(name: PrintableName.shorten("inodes:\(mount.mountPoint)"), kind: .inodes, value: inodes, unit: "%", details: inodeDetails)]
    }
}
