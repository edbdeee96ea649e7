/// `/proc/meminfo` in, memory figures out. Pure: no I/O.
struct Meminfo: Equatable, Sendable {
    var totalBytes: UInt64
    var availableBytes: UInt64
    /// False on kernels before 3.14, which lack MemAvailable; then it is estimated (see `parse`).
    var availableReported: Bool
    var swapTotalBytes: UInt64
    var swapFreeBytes: UInt64

    /// 100 × (MemTotal − MemAvailable) / MemTotal, to two decimals.
    var usedPercent: Double {
        guard totalBytes > 0 else { return 0 }
        let used = Double(totalBytes - min(availableBytes, totalBytes))
        return (used * 10000 / Double(totalBytes)).rounded() / 100
    }

    /// nil when the host has no swap.
    var swapUsedPercent: Double? {
        guard swapTotalBytes > 0 else { return nil }
        let used = Double(swapTotalBytes - min(swapFreeBytes, swapTotalBytes))
        return (used * 10000 / Double(swapTotalBytes)).rounded() / 100
    }

    /// Without MemAvailable, available = MemFree + Buffers + Cached + SReclaimable − Shmem:
    /// page cache can be reclaimed but tmpfs pages (Shmem, counted in Cached) cannot. This is
    /// what `free` showed as "-/+ buffers/cache" before the kernel estimated it itself.
    static func parse(_ text: String) -> Meminfo? {
        var fields: [Substring: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let rest = line[line.index(after: colon)...].split(separator: " ")
            guard let number = rest.first.flatMap({ UInt64($0) }) else { continue }
            let scale: UInt64 = rest.count > 1 && rest[1] == "kB" ? 1024 : 1
            fields[key] = number.multipliedReportingOverflow(by: scale).overflow ? nil : number * scale
        }
        guard let total = fields["MemTotal"], total > 0 else { return nil }
        var available: UInt64
        let reported = fields["MemAvailable"] != nil
        if let value = fields["MemAvailable"] {
            available = value
        } else {
            let reclaimable = (fields["MemFree"] ?? 0) &+ (fields["Buffers"] ?? 0) &+ (fields["Cached"] ?? 0)
                &+ (fields["SReclaimable"] ?? 0)
            let shmem = fields["Shmem"] ?? 0
            available = reclaimable > shmem ? reclaimable - shmem : 0
        }
        available = min(available, total)
        return Meminfo(
            totalBytes: total, availableBytes: available, availableReported: reported,
            swapTotalBytes: fields["SwapTotal"] ?? 0, swapFreeBytes: fields["SwapFree"] ?? 0)
    }
}
