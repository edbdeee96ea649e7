/// The part of TOML a settings file needs: tables, dotted keys, strings, numbers, booleans and
/// arrays of those. Anything else is a clear error, never a silent misread.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])

    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number"
        case .bool: return "true or false"
        case .array: return "an array"
        }
    }
}

public struct TOMLError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

public enum TOML {
    /// Keys come back fully qualified: `[disk]` + `exclude_mounts` → `disk.exclude_mounts`.
    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var parser = Parser(bytes: Array(text.utf8))
        var result: [String: TOMLValue] = [:]
        for (path, value) in try parser.document() { result[path.joined(separator: ".")] = value }
        return result
    }

    /// Keys as their parts, for files whose keys hold dots themselves (`[hosts."db.example.com"]`).
    public static func parsePaths(_ text: String) throws(TOMLError) -> [(path: [String], value: TOMLValue)] {
        var parser = Parser(bytes: Array(text.utf8))
        return try parser.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var line = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws(TOMLError) -> [(path: [String], value: TOMLValue)] {
            var result: [(path: [String], value: TOMLValue)] = []
            var seen = Set<[String]>()
            var table: [String] = []
            while true {
                skipBlank(newlines: true)
                guard let byte = peek() else { return result }
                if byte == UInt8(ascii: "[") {
                    index += 1
                    if peek() == UInt8(ascii: "[") { throw fail("arrays of tables ([[...]]) are not supported") }
                    table = try key()
                    skipBlank(newlines: false)
                    guard peek() == UInt8(ascii: "]") else { throw fail("expected ] to close the table name") }
                    index += 1
                } else {
                    let name = try key()
                    skipBlank(newlines: false)
                    guard peek() == UInt8(ascii: "=") else { throw fail("expected = after '\(name.joined(separator: "."))'") }
                    index += 1
                    skipBlank(newlines: false)
                    let full = table + name
                    guard seen.insert(full).inserted else { throw fail("'\(full.joined(separator: "."))' is set twice") }
                    result.append((full, try value()))
                }
                try endOfLine()
            }
        }

        mutating func key() throws(TOMLError) -> [String] {
            var parts: [String] = []
            repeat {
                skipBlank(newlines: false)
                if peek() == UInt8(ascii: "\"") {
                    parts.append(try basicString())
                } else {
                    let start = index
                    while let byte = peek(), isBare(byte) { index += 1 }
                    guard index > start else { throw fail("expected a key") }
                    parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
                }
                skipBlank(newlines: false)
            } while consume(UInt8(ascii: "."))
            return parts
        }

        mutating func value() throws(TOMLError) -> TOMLValue {
            guard let byte = peek() else { throw fail("expected a value") }
            switch byte {
            case UInt8(ascii: "\""): return .string(try basicString())
            case UInt8(ascii: "'"): return .string(try literalString())
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                if matchWord("true") { return .bool(true) }
                if matchWord("false") { return .bool(false) }
                throw fail("expected a value; strings need quotes")
            default: return try number()
            }
        }

        mutating func array() throws(TOMLError) -> TOMLValue {
            index += 1
            var items: [TOMLValue] = []
            while true {
                skipBlank(newlines: true)
                if consume(UInt8(ascii: "]")) { return .array(items) }
                items.append(try value())
                skipBlank(newlines: true)
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "]")) else { throw fail("expected , or ] in an array") }
                return .array(items)
            }
        }

        mutating func number() throws(TOMLError) -> TOMLValue {
            let start = index
            while let byte = peek(), isBare(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self).replacingUnderscores()
            if let integer = Int(text) { return .integer(integer) }
            if let float = Double(text), float.isFinite { return .float(float) }
            throw fail(text.isEmpty ? "expected a value" : "'\(text)' is not a value; strings need quotes")
        }

        mutating func basicString() throws(TOMLError) -> String {
            index += 1
            var out: [UInt8] = []
            while let byte = peek() {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\n"): throw fail("a string is not closed on its line")
                case UInt8(ascii: "\\"):
                    guard let escape = peek() else { break }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(escape)
                    case UInt8(ascii: "u"): out.append(contentsOf: try unicodeEscape(digits: 4))
                    case UInt8(ascii: "U"): out.append(contentsOf: try unicodeEscape(digits: 8))
                    default: throw fail("unknown escape \\\(Character(Unicode.Scalar(escape)))")
                    }
                default: out.append(byte)
                }
            }
            throw fail("a string is not closed")
        }

        mutating func unicodeEscape(digits: Int) throws(TOMLError) -> [UInt8] {
            guard index + digits <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<(index + digits)], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(value)
            else { throw fail("a \\u escape needs \(digits) hex digits of a valid character") }
            index += digits
            return Array(String(Character(scalar)).utf8)
        }

        mutating func literalString() throws(TOMLError) -> String {
            index += 1
            let start = index
            while let byte = peek(), byte != UInt8(ascii: "'") {
                if byte == UInt8(ascii: "\n") { throw fail("a string is not closed on its line") }
                index += 1
            }
            guard peek() != nil else { throw fail("a string is not closed") }
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func endOfLine() throws(TOMLError) {
            skipBlank(newlines: false)
            guard let byte = peek() else { return }
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
                throw fail("unexpected text after the value")
            }
        }

        /// Skips spaces, tabs and comments, and also newlines when asked.
        mutating func skipBlank(newlines: Bool) {
            while let byte = peek() {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                    index += 1
                } else if byte == UInt8(ascii: "#") {
                    while let next = peek(), next != UInt8(ascii: "\n") { index += 1 }
                } else if byte == UInt8(ascii: "\n") && newlines {
                    index += 1
                    line += 1
                } else {
                    return
                }
            }
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            index += 1
            return true
        }

        mutating func matchWord(_ word: String) -> Bool {
            let utf8 = Array(word.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<(index + utf8.count)]) == utf8 else { return false }
            if index + utf8.count < bytes.count, isBare(bytes[index + utf8.count]) { return false }
            index += utf8.count
            return true
        }

        func isBare(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }

        func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
