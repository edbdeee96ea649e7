/// One line of /proc/self/mountinfo.
struct Mount: Equatable, Sendable {
    var mountId: Int
    /// "major:minor" of the device; bind mounts of one filesystem share it.
    var device: String
    /// The path inside the filesystem that is mounted ("/" unless it is a bind mount of a subtree).
    var root: String
    /// Printable: control characters and bytes that are not UTF-8 written `\xNN` (`PrintableName`).
    var mountPoint: String
    var fsType: String
    var source: String
    /// The mount point's own bytes, for statvfs, when `mountPoint` had to escape some.
    var path: [UInt8]? = nil
}

/// `/proc/self/mountinfo` in, mounts out. Pure: no I/O.
enum Mountinfo {
    static func parse(_ text: String) -> [Mount] { parse(Array(text.utf8)) }

    /// Format (proc(5)): `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw`.
    /// Optional fields end at a lone `-`; malformed lines are skipped. Bytes, not a String: a
    /// path need not be UTF-8, and statvfs needs it as it is.
    static func parse(_ bytes: [UInt8]) -> [Mount] {
        var mounts: [Mount] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard fields.count >= 10, let id = Int(String(decoding: fields[0], as: UTF8.self)),
                let dash = fields[6...].firstIndex(where: { $0.elementsEqual([UInt8(ascii: "-")]) }), dash + 2 < fields.count
            else { continue }
            let point = unescape(fields[4])
            let printable = PrintableName.escape(point)
            mounts.append(
                Mount(
                    mountId: id, device: PrintableName.escape(fields[2]), root: PrintableName.escape(unescape(fields[3])),
                    mountPoint: printable, fsType: PrintableName.escape(unescape(fields[dash + 1])),
                    source: PrintableName.escape(unescape(fields[dash + 2])),
                    path: printable.utf8.elementsEqual(point) ? nil : point))
        }
        return mounts
    }

    /// The kernel writes space, tab, newline and backslash as octal escapes (`\040`).
    static func unescape(_ field: ArraySlice<UInt8>) -> [UInt8] {
        guard field.contains(UInt8(ascii: "\\")) else { return Array(field) }
        var bytes: [UInt8] = []
        var index = field.startIndex
        while index < field.endIndex {
            if field[index] == UInt8(ascii: "\\"), index + 4 <= field.endIndex,
                let value = octal(field[(index + 1)..<(index + 4)])
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(field[index])
                index += 1
            }
        }
        return bytes
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
