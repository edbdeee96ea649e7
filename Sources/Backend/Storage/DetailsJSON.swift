import Foundation
import Shared

/// Writes details as compact JSON text for the database, without JSONEncoder: it runs for every
/// observation of every report, and JSONEncoder's setup dominated ingest's CPU time. Keys sorted.
enum DetailsJSON {
    static func encode(_ object: [String: JSONValue]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(48 * object.count + 2)
        writeObject(object, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string literal of `text`.
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        writeString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // Bytes, not String appends: each String append checked capacity and UTF-8 flags again.
    private static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            // Validation has refused non-finite numbers; whole numbers print without ".0".
            if number == number.rounded(), abs(number) < 1e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
            } else {
                out.append(contentsOf: "\(number)".utf8)
            }
        case .string(let text): writeString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object): writeObject(object, to: &out)
        }
    }

    /// Keys sorted, so equal details are equal text.
    private static func writeObject(_ object: [String: JSONValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, member) in object.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            write(member.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            // jsonb refuses \u0000, so both engines keep a NUL as the text `\x00`, as the journal does.
            case 0: out.append(contentsOf: #"\\x00"#.utf8)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(contentsOf: Hex.lowercase([byte]).utf8)
            default: out.append(byte)  // UTF-8 passes through whole: only ASCII bytes need escapes
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
