/// One md array as /proc/mdstat describes it.
struct RaidArray: Equatable, Sendable {
    var name: String
    var active: Bool
    /// "read-only" or "auto-read-only" when mdstat says so.
    var readOnlyMode: String?
    var level: String?
    var members: [RaidMember] = []
    var blocks: UInt64?
    var metadata: String?
    /// The `[n/m]` pair: disks the array needs and disks in sync. Absent for raid0 and linear.
    var disksRequired: Int?
    var disksInSync: Int?
    var bitmap: String?
    var sync: RaidSync?
}

struct RaidMember: Equatable, Sendable {
    var device: String
    /// The number in brackets: the device's slot in the superblock (not its position in `[UU_]`).
    var slot: Int
    /// Flags in parentheses after the member: F faulty, S spare, W write-mostly, R replacement, J journal.
    var flags: String

    var state: String {
        if flags.contains("F") { return "faulty" }
        if flags.contains("S") { return "spare" }
        if flags.contains("J") { return "journal" }
        if flags.contains("R") { return "replacement" }
        // mdstat does not mark which active member is still being rebuilt; `[U_]` and the sync line say that.
        return "active"
    }
}

/// A resync, recovery, check, reshape or repair, running or waiting.
struct RaidSync: Equatable, Sendable {
    var action: String
    /// "running", "delayed" (waits for another array on the same disks) or "pending" (read-only array).
    var state: String
    var percent: Double?
    var finishMinutes: Double?
    var speedKiBps: Double?
}

/// `/proc/mdstat` in, arrays out. Pure: no I/O; unknown lines are skipped.
enum Mdstat {
    static let syncActions: Set<String> = ["resync", "recovery", "check", "reshape", "repair"]

    static func parse(_ text: String) -> [RaidArray] {
        var arrays: [RaidArray] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: " \t")
            if line.isEmpty || line.hasPrefix("Personalities") || line.hasPrefix("unused devices") { continue }
            if let header = header(line) {
                arrays.append(header)
            } else if !arrays.isEmpty {
                detail(line, into: &arrays[arrays.count - 1])
            }
        }
        return arrays
    }

    /// `md2 : active (auto-read-only) raid1 sdb2[1] sda2[0](F)` or `md127 : inactive sdb[1](S)`.
    private static func header(_ line: Substring) -> RaidArray? {
        let words = line.split(separator: " ")
        guard words.count >= 3, words[0].hasPrefix("md"), words[1] == ":" else { return nil }
        var array = RaidArray(name: String(words[0]), active: words[2] == "active")
        guard words[2] == "active" || words[2] == "inactive" else { return nil }
        var index = 3
        if index < words.count, words[index].hasPrefix("(") && words[index].hasSuffix(")") {
            array.readOnlyMode = String(words[index].dropFirst().dropLast())
            index += 1
        }
        if array.active, index < words.count, !words[index].contains("[") {
            array.level = String(words[index])
            index += 1
        }
        array.members = words[index...].compactMap(member)
        return array
    }

    /// `sdb2[1](F)` → device sdb2, slot 1, flags F.
    private static func member(_ word: Substring) -> RaidMember? {
        guard let open = word.firstIndex(of: "["), let close = word[open...].firstIndex(of: "]"),
            let slot = Int(word[word.index(after: open)..<close])
        else { return nil }
        let flags = word[word.index(after: close)...].filter { $0 != "(" && $0 != ")" }
        return RaidMember(device: String(word[..<open]), slot: slot, flags: String(flags))
    }

    private static func detail(_ line: Substring, into array: inout RaidArray) {
        let words = line.split(separator: " ")
        if let blocksAt = words.firstIndex(of: "blocks"), blocksAt > 0, let blocks = UInt64(words[blocksAt - 1]) {
            array.blocks = blocks
            if let superAt = words.firstIndex(of: "super"), superAt + 1 < words.count {
                array.metadata = String(words[superAt + 1])
            }
            for word in words where word.hasPrefix("[") && word.hasSuffix("]") && word.contains("/") {
                let pair = word.dropFirst().dropLast().split(separator: "/")
                if pair.count == 2, let required = Int(pair[0]), let inSync = Int(pair[1]) {
                    array.disksRequired = required
                    array.disksInSync = inSync
                }
            }
        } else if line.hasPrefix("bitmap:") {
            array.bitmap = String(line.dropFirst("bitmap:".count).trimmingCharacters(in: " "))
        } else if let sync = progress(words) {
            array.sync = sync
        }
    }

    /// `[==>....]  recovery = 28.5% (149376/523712) finish=0.1min speed=37344K/sec`, or `resync=DELAYED`.
    private static func progress(_ words: [Substring]) -> RaidSync? {
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1)
            if parts.count == 2, syncActions.contains(String(parts[0])), parts[1] == "DELAYED" || parts[1] == "PENDING" {
                return RaidSync(action: String(parts[0]), state: parts[1] == "DELAYED" ? "delayed" : "pending")
            }
        }
        // Spacing varies: "check =  0.3%", "recovery = 28.5%", "reshape=12.6%".
        var sync: RaidSync?
        var index = 0
        while index < words.count {
            let parts = words[index].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            index += 1
            if syncActions.contains(key) {
                var value = parts.count == 2 ? parts[1] : Substring("")
                if parts.count == 1, index < words.count, words[index].hasPrefix("=") {
                    value = words[index].dropFirst()
                    index += 1
                }
                if value.isEmpty, index < words.count {
                    value = words[index]
                    index += 1
                }
                if value.hasSuffix("%"), let percent = Double(value.dropLast()) {
                    sync = RaidSync(action: key, state: "running", percent: percent)
                }
            } else if parts.count == 2, key == "finish", parts[1].hasSuffix("min") {
                sync?.finishMinutes = Double(parts[1].dropLast(3))
            } else if parts.count == 2, key == "speed", parts[1].hasSuffix("K/sec") {
                sync?.speedKiBps = Double(parts[1].dropLast(5))
            }
        }
        return sync
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var slice = self
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return slice
    }
}
