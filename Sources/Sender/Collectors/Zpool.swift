/// One line of `zpool list -H -p -o name,size,alloc,free,cap,health`.
struct ZpoolStatus: Equatable, Sendable {
    var name: String
    var sizeBytes: UInt64
    var allocBytes: UInt64
    var freeBytes: UInt64
    var capacityPercent: Double
    var health: String
}

/// `zpool list -H -p` output in, pools out. Pure: no I/O; malformed lines are skipped.
enum Zpool {
    static let arguments = ["list", "-H", "-p", "-o", "name,size,alloc,free,cap,health"]

    static func parse(_ text: String) -> [ZpoolStatus] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 6, !fields[0].isEmpty, let size = UInt64(fields[1]), let alloc = UInt64(fields[2]),
                let free = UInt64(fields[3]), let capacity = Double(fields[4].hasSuffix("%") ? fields[4].dropLast() : fields[4]),
                capacity.isFinite, !fields[5].isEmpty
            else { return nil }
            return ZpoolStatus(
                name: String(fields[0]), sizeBytes: size, allocBytes: alloc, freeBytes: free, capacityPercent: capacity,
                health: String(fields[5]))
        }
    }
}
