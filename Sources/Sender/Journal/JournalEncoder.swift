/// Writes one journal entry as one NDJSON line (a `JournalEntry`, docs/protocol.md) straight
/// into a batch's bytes. By hand rather than JSONEncoder: this runs for every entry, and a
/// catch-up reads hundreds of thousands.
enum JournalEncoder {
    static func append(_ record: JournalFields, realtime: UInt64, cursor: [UInt8], to out: inout [UInt8]) {
        literal("{\"realtimeUsec\":", to: &out)
        number(realtime, to: &out)
        literal(",\"cursor\":", to: &out)
        cursor.withUnsafeBufferPointer { _ = string($0, to: &out) }
        record.storage.withUnsafeBufferPointer { storage in
            func text(_ key: StaticString, _ field: JournalFields.Field) {
                guard let range = record[field] else { return }
                literal(key, to: &out)
                _ = string(UnsafeBufferPointer(rebasing: storage[range]), to: &out)
            }
            text(",\"host\":", .host)
            if record[.bootId] != nil {
                text(",\"bootId\":", .bootId)
            } else if let boot = bootId(inCursor: cursor) {
                // Entries always carry _BOOT_ID from journald; imported ones may not.
                literal(",\"bootId\":", to: &out)
                cursor.withUnsafeBufferPointer { _ = string(UnsafeBufferPointer(rebasing: $0[boot]), to: &out) }
            }
            text(",\"unit\":", record.unitField)
            text(",\"identifier\":", .identifier)
            if let pid = record.pid {
                literal(",\"pid\":", to: &out)
                number(UInt64(pid), to: &out)
            }
            if let priority = record.priority {
                literal(",\"priority\":", to: &out)
                out.append(UInt8(48 + priority))
            }
            text(",\"transport\":", .transport)
            text(",\"containerName\":", .containerName)
            text(",\"containerId\":", .containerId)
            if let range = record[.message] {
                let bytes = UnsafeBufferPointer(rebasing: storage[range])
                literal(",\"message\":", to: &out)
                if string(bytes, to: &out) {
                    // Not UTF-8: the text above shows bad bytes as \xNN; these are the exact ones.
                    literal(",\"messageBase64\":\"", to: &out)
                    base64(bytes, to: &out)
                    out.append(0x22)
                }
            }
            if !record.extras.isEmpty {
                literal(",\"fields\":{", to: &out)
                for (index, extra) in record.extras.enumerated() {
                    if index > 0 { out.append(0x2C) }
                    record.extraNames[extra.name].withUnsafeBufferPointer { _ = string($0, to: &out) }
                    out.append(0x3A)
                    _ = string(UnsafeBufferPointer(rebasing: storage[extra.value]), to: &out)
                }
                out.append(0x7D)
            }
        }
        out.append(0x7D)
        out.append(0x0A)
    }

    @inline(__always)
    static func literal(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func number(_ value: UInt64, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for UInt64's 20 digits, filled from the end
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                count += 1
                buffer[24 - count] = UInt8(48 + rest % 10)
                rest /= 10
            } while rest > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(24 - count)..<24]).assumingMemoryBound(to: UInt8.self))
        }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// A JSON string of `bytes`: quotes, backslashes and control characters escaped; a byte that
    /// is not part of valid UTF-8 written as the text `\xNN`. Returns whether there was one.
    @discardableResult
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        out.append(0x22)
        var invalid = false
        var index = 0
        var runStart = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte < 0x80 { index += 1; continue }
            if byte >= 0x80 {
                let length = validSequenceLength(bytes, at: index)
                if length > 0 { index += length; continue }
            }
            // Copy the plain run before this byte in one go, then escape it.
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case ..<0x20:
                literal("\\u00", to: &out)
                hex(byte, to: &out)
            default:
                // JSON's "\\x" is the text \x: the byte shown, not a JSON escape.
                literal("\\\\x", to: &out)
                hex(byte, to: &out)
                invalid = true
            }
            index += 1
            runStart = index
        }
        if runStart < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count])) }
        out.append(0x22)
        return invalid
    }

    @inline(__always)
    private static func hex(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(hexDigits.utf8Start[Int(byte >> 4)])
        out.append(hexDigits.utf8Start[Int(byte & 0xF)])
    }

    /// The length of the well-formed UTF-8 sequence starting at `index` (RFC 3629: no overlong
    /// forms, no surrogates, nothing above U+10FFFF), or 0.
    @inline(__always)
    static func validSequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = bytes[index]
        let left = bytes.count - index
        @inline(__always) func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            offset < left && bytes[index + offset] >= low && bytes[index + offset] <= high
        }
        switch lead {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xE1...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    private static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    static func base64(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let alphabet = base64Alphabet.utf8Start
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let word = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(word >> 18)])
            out.append(alphabet[Int(word >> 12 & 63)])
            out.append(alphabet[Int(word >> 6 & 63)])
            out.append(alphabet[Int(word & 63)])
            index += 3
        }
        let left = bytes.count - index
        guard left > 0 else { return }
        let word = UInt32(bytes[index]) << 16 | (left == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
        out.append(alphabet[Int(word >> 18)])
        out.append(alphabet[Int(word >> 12 & 63)])
        out.append(left == 2 ? alphabet[Int(word >> 6 & 63)] : 0x3D)
        out.append(0x3D)
    }

    /// The `b=` part of a cursor: the boot id of the entry it names.
    static func bootId(inCursor cursor: [UInt8]) -> Range<Int>? {
        var start = 0
        while start < cursor.count {
            var end = start
            while end < cursor.count && cursor[end] != 0x3B { end += 1 }
            if end - start > 2, cursor[start] == 0x62, cursor[start + 1] == 0x3D { return (start + 2)..<end }
            start = end + 1
        }
        return nil
    }
}
