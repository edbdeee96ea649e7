import Shared

/// ZFS pool capacity and health from `zpool list` (optional: only where ZFS is installed).
struct ZpoolCollector: Collector {
    static let name = "zpool"
    static let searchPaths = ["/usr/sbin/zpool", "/sbin/zpool", "/usr/bin/zpool"]

    /// The zpool binary; nil: the first of `searchPaths` that exists.
    var command: String?
    var timeout = TimeSpan(seconds: 5)

    func collect(_ context: CollectContext) -> [Observation] {
        // zpool asks the live kernel, so a fixture tree (--root) has no pools to show.
        guard context.root == "/" else { return [] }
        guard let path = command ?? Self.searchPaths.first(where: FileReader.exists) else {
            return context.explicit ? [failure("zpool is not installed")] : []
        }
        let text: String
        do { text = try Subprocess.output(path, Zpool.arguments, timeout: context.timeout(timeout)) } catch {
            return [failure(error.description)]
        }
        return Zpool.parse(text).map { pool in
            Observation(
                name: "zpool:\(pool.name)", kind: .zpool, value: pool.capacityPercent, unit: "%",
                status: pool.health == "ONLINE" ? ObservationStatus.ok : ObservationStatus.degraded,
                details: [
                    "health": .string(pool.health), "sizeBytes": .number(Double(pool.sizeBytes)),
                    "allocBytes": .number(Double(pool.allocBytes)), "freeBytes": .number(Double(pool.freeBytes)),
                ])
        }
    }

    private func failure(_ message: String) -> Observation {
        Observation(name: "zpool", kind: .zpool, status: ObservationStatus.error, error: message)
    }
}
