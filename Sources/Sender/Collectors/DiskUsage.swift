/// Figures from statvfs, turned into what `df -P` prints. Pure arithmetic.
struct DiskUsage: Equatable, Sendable {
    var blockSize: UInt64  // f_frsize
    var blocks: UInt64  // f_blocks
    var blocksFree: UInt64  // f_bfree (including the root reserve)
    var blocksAvailable: UInt64  // f_bavail (for unprivileged users)
    var files: UInt64  // f_files
    var filesFree: UInt64  // f_ffree

    var sizeBytes: UInt64 { blocks &* blockSize }
    var availBytes: UInt64 { blocksAvailable &* blockSize }
    var freeBytes: UInt64 { blocksFree &* blockSize }
    var usedBytes: UInt64 { (blocks >= blocksFree ? blocks - blocksFree : 0) &* blockSize }

    /// df's Capacity: used / (used + available to unprivileged users), rounded up, so a disk whose
    /// root reserve is all that is left shows 100 %. nil for a filesystem with no blocks.
    var usedPercent: Double? {
        let used = blocks >= blocksFree ? blocks - blocksFree : 0
        let total = used + blocksAvailable
        guard total > 0 else { return nil }
        let (scaled, overflow) = used.multipliedReportingOverflow(by: 100)
        if overflow { return (Double(used) * 100 / Double(total)).rounded(.up) }
        return Double(scaled / total + (scaled % total == 0 ? 0 : 1))
    }

    /// nil where the filesystem has no fixed inode count (btrfs reports 0).
    var inodesUsedPercent: Double? {
        guard files > 0 else { return nil }
        let used = files >= filesFree ? files - filesFree : 0
        return (Double(used) * 1000 / Double(files)).rounded() / 10
    }
}
