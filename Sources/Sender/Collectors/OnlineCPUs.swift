/// How many CPUs are online: `/sys/devices/system/cpu/online` (`0-3,6`), else the `cpuN` lines
/// of /proc/stat (a container without /sys). Pure.
enum OnlineCPUs {
    /// A CPU list as the kernel writes it: ranges and single numbers, comma-separated.
    static func count(list text: String) -> Int? {
        let trimmed = text.prefix(4096).split(separator: "\n").first ?? ""
        guard !trimmed.isEmpty else { return nil }
        var total = 0
        for part in trimmed.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch bounds.count {
            case 1: guard bounds[0] != nil else { return nil }; total += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low >= 0, high >= low, high - low < 1 << 20 else { return nil }
                total += high - low + 1
            default: return nil
            }
        }
        return total > 0 ? total : nil
    }

    /// `cpu0`, `cpu1` … lines of /proc/stat.
    static func count(stat text: String) -> Int? {
        let count = text.split(separator: "\n").filter { $0.hasPrefix("cpu") && $0.dropFirst(3).first?.isNumber == true }.count
        return count > 0 ? count : nil
    }
}
