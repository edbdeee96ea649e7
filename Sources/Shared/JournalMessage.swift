#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a journal message that is not UTF-8 is shown: valid text stays as it is, and every byte
/// that is not part of valid UTF-8 appears as `\xNN`, so the message stays displayable while the
/// exact bytes travel beside it in base64.
public enum JournalMessage {
    /// The text of `bytes`, and whether it needed escaping (then ship the bytes too).
    public static func display<Bytes: Collection>(_ bytes: Bytes) -> (text: String, escaped: Bool) where Bytes.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return (text, false) }
        var text = ""
        text.reserveCapacity(bytes.count + 16)
        var decoder = UTF8()
        // Decode scalar by scalar; on an error, re-read the bytes of the bad sequence one at a time.
        var pending: [UInt8] = []
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            let length = Self.sequenceLength(byte)
            var end = index
            var valid = length > 0
            var count = 0
            while valid && count < length {
                guard end != bytes.endIndex else { valid = false; break }
                pending.append(bytes[end])
                end = bytes.index(after: end)
                count += 1
            }
            if valid, let scalar = Self.decode(pending, using: &decoder) {
                text.unicodeScalars.append(scalar)
                index = end
            } else {
                text += "\\x" + Hex.lowercase([byte])
                index = bytes.index(after: index)
            }
            pending.removeAll(keepingCapacity: true)
        }
        return (text, true)
    }

    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 0
        }
    }

    private static func decode(_ bytes: [UInt8], using decoder: inout UTF8) -> Unicode.Scalar? {
        // A fresh decoder: after an error UTF8 keeps the bytes it looked ahead at, and would
        // return them before the next sequence (so the `A` of `\xC3A` became `\x41`).
        decoder = UTF8()
        var iterator = bytes.makeIterator()
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): return iterator.next() == nil ? scalar : nil
        default: return nil
        }
    }
}
