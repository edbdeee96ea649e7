#if canImport(Glibc)
import Glibc
#endif

/// Which mounts the disk collector reports. Patterns are shell globs (fnmatch), so
/// `/var/lib/docker/*` or `nfs*` work without a regex engine in the binary.
struct DiskFilter: Sendable, Equatable {
    var includeMounts: [String] = []
    var excludeMounts: [String] = []
    var includeFsTypes: [String] = []
    var excludeFsTypes: [String] = []

    /// Pseudo and virtual filesystems: no disk behind them (node_exporter's list plus tmpfs and kin).
    static let pseudoFsTypes: Set<String> = [
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs",
        "efivarfs", "erofs", "fusectl", "fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal", "hugetlbfs", "iso9660",
        "mqueue", "nsfs", "nfsd", "overlay", "proc", "procfs", "pstore", "ramfs", "rpc_pipefs", "securityfs",
        "selinuxfs", "squashfs", "sysfs", "tmpfs", "tracefs",
    ]

    /// Mount points that belong to the kernel or to container runtimes, not to the host's disks.
    static let pseudoMountPatterns = [
        "/dev", "/dev/*", "/proc", "/proc/*", "/sys", "/sys/*", "/run/credentials/*",
        "/var/lib/docker/*", "/var/lib/containers/storage/*",
    ]

    func admits(_ mount: Mount) -> Bool {
        let explicitlyIncluded = Self.matches(includeMounts, mount.mountPoint) || Self.matches(includeFsTypes, mount.fsType)
        if !includeMounts.isEmpty && !Self.matches(includeMounts, mount.mountPoint) { return false }
        if !includeFsTypes.isEmpty && !Self.matches(includeFsTypes, mount.fsType) { return false }
        if Self.matches(excludeMounts, mount.mountPoint) || Self.matches(excludeFsTypes, mount.fsType) { return false }
        if explicitlyIncluded { return true }
        return !Self.pseudoFsTypes.contains(mount.fsType) && !Self.matches(Self.pseudoMountPatterns, mount.mountPoint)
    }

    private static func matches(_ patterns: [String], _ text: String) -> Bool {
        patterns.contains { fnmatch($0, text, 0) == 0 }
    }
}
