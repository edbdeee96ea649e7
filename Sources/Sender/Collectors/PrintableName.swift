import Shared

/// Check names built from bytes anyone may choose (a FUSE mount's path): printable and short
/// enough for the protocol's name rules, and the same in every run, so the check stays one check.
enum PrintableName {
    /// Control characters and bytes that are not UTF-8 become `\xNN`: the name stays visible and
    /// distinct where the protocol allows neither (a tab, a lone 0xFF).
    static func escape<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: bytes, as: UTF8.self) }
        var text = ""
        var rest = bytes[...]
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .emptyInput:
                return text
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if Names.isForbidden(scalar) { encoded.forEach { text += hex($0) } } else { text.unicodeScalars.append(scalar) }
                rest = rest.dropFirst(encoded.count)
            case .error(let length):
                rest.prefix(length).forEach { text += hex($0) }
                rest = rest.dropFirst(length)
            }
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "\\x" + (digits.count == 1 ? "0" : "") + digits
    }

    /// A name over `limit` characters keeps its start and ends in `~` and 16 hex digits of a hash
    /// of the whole name, so two long names stay apart. FNV-1a, because Swift's Hasher is seeded
    /// anew in every process and the name must not change between runs.
    static func shorten(_ name: String, limit: Int = ReportLimits.standard.maxNameLength) -> String {
        guard name.utf8.count > limit, name.count > limit else { return name }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let digits = String(hash, radix: 16)
        return String(name.prefix(limit - 17)) + "~" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
