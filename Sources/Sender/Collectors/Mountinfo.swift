/// One line of /proc/self/mountinfo.
struct Mount: Equatable, Sendable {
    var mountId: Int
    /// "major:minor" of the device; bind mounts of one filesystem share it.
    var device: String
    /// The path inside the filesystem that is mounted ("/" unless it is a bind mount of a subtree).
    var root: String
    var mountPoint: String
    var fsType: String
    var source: String
}

/// `/proc/self/mountinfo` in, mounts out. Pure: no I/O.
enum Mountinfo {
    /// Format (proc(5)): `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw`.
    /// Optional fields end at a lone `-`; malformed lines are skipped.
    static func parse(_ text: String) -> [Mount] {
        var mounts: [Mount] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10, let id = Int(fields[0]),
                let dash = fields[6...].firstIndex(of: "-"), dash + 2 < fields.count
            else { continue }
            mounts.append(
                Mount(
                    mountId: id, device: String(fields[2]), root: unescape(fields[3]),
                    mountPoint: unescape(fields[4]), fsType: String(fields[dash + 1]),
                    source: unescape(fields[dash + 2])))
        }
        return mounts
    }

    /// The kernel writes space, tab, newline and backslash as octal escapes (`\040`).
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 4 <= utf8.count,
                let value = octal(utf8[(index + 1)..<(index + 4)])
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        guard digits.count == 3 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + UInt32(digit - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }
}
