import Shared

/// A small, strict JSON parser (RFC 8259) from bytes to `JSONValue`. Ingest parses every report
/// with it: Foundation's JSONDecoder spent most of the backend's time on a report's generic
/// Codable machinery. Nesting is bounded, invalid UTF-8 is refused, duplicate keys keep the last.
struct JSONParser {
    struct Failure: Error, Equatable {
        var offset: Int
        var message: String
    }

    static let maxDepth = 64

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func failure(_ message: String) -> Failure { Failure(offset: index, message: message) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard let byte = current else { throw failure("the JSON ends too early") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("the JSON ends too early") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw failure("unexpected character")
        }
        index += count
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        index += 1
        var members: [String: JSONValue] = [:]
        var first = true
        while let key = try nextKey(first: &first) { members[key] = try value(depth: depth) }
        return .object(members)
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        index += 1
        var items: [JSONValue] = []
        var first = true
        while try nextItem(first: &first) { items.append(try value(depth: depth)) }
        return .array(items)
    }

    private mutating func number() throws(Failure) -> Double {
        let start = index
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw failure("expected a digit") }
        let integerStart = index
        if first == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        let integerEnd = index
        var fractionDigits = 0
        if current == UInt8(ascii: ".") {
            index += 1
            fractionDigits = skipDigits()
            guard fractionDigits > 0 else { throw failure("expected a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw failure("expected a digit in the exponent") }
        } else if integerEnd - integerStart + fractionDigits <= 15 {
            // Up to 15 digits are exact in a Double, as is 10^k for k <= 22, and IEEE division
            // rounds correctly: the same value strtod gives, without making a string.
            var mantissa: Int64 = 0
            for offset in integerStart..<index where bytes[offset] != UInt8(ascii: ".") {
                mantissa = mantissa * 10 + Int64(bytes[offset] - UInt8(ascii: "0"))
            }
            let magnitude = Double(mantissa) / Self.powersOfTen[fractionDigits]
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else { throw Failure(offset: start, message: "the number is out of range") }
        return number
    }

    private static let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }

    private mutating func string() throws(Failure) -> String {
        index += 1  // the opening quote
        let start = index
        // Fast path: no escapes, so the bytes are the string; ASCII needs no validating.
        var ascii = true
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw failure("a control character inside a string must be escaped") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard let stop = current else { throw failure("a string is not closed") }
        if stop == UInt8(ascii: "\"") {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            index += 1
            if ascii { return String(decoding: slice, as: UTF8.self) }
            guard let text = String(validating: slice, as: UTF8.self) else { throw Failure(offset: start, message: "the string is not valid UTF-8") }
            return text
        }
        var buffer = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: buffer, as: UTF8.self) else { throw Failure(offset: start, message: "the string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = current else { throw failure("a string is not closed") }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escaped)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"): buffer.append(contentsOf: try unicodeEscape())
                default: throw failure("unknown escape")
                }
            case 0..<0x20:
                throw failure("a control character inside a string must be escaped")
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw failure("a string is not closed")
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` for a surrogate pair. Returns UTF-8.
    private mutating func unicodeEscape() throws(Failure) -> [UInt8] {
        var code = try hex4()
        if (0xD800...0xDBFF).contains(code) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("a lone surrogate in \\u escape")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw failure("a lone surrogate in \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw failure("a lone surrogate in \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("an invalid \\u escape") }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("a \\u escape needs four hex digits") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("a \\u escape needs four hex digits")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }
}

// Step by step: an object's keys and an array's items, each read by the caller in turn. The
// whole-value parse above walks its objects and arrays with the same steps.
extension JSONParser {
    init(streaming bytes: UnsafeRawBufferPointer) { self.init(bytes: bytes) }

    /// After the value: only white space may follow.
    mutating func finish() throws(Failure) {
        skipSpace()
        guard index == bytes.count else { throw failure("unexpected text after the JSON value") }
    }

    /// Enters an object if one starts here; `false` leaves the parser where it was.
    mutating func openObject() -> Bool {
        skipSpace()
        guard current == UInt8(ascii: "{") else { return false }
        index += 1
        return true
    }

    /// The next key of the object entered, with its ':' read; nil after the closing brace.
    /// `first` is true right after `openObject()` and is cleared here.
    mutating func nextKey(first: inout Bool) throws(Failure) -> String? {
        skipSpace()
        if first {
            first = false
            if current == UInt8(ascii: "}") { index += 1; return nil }
        } else {
            switch current {
            case UInt8(ascii: ","): index += 1; skipSpace()
            case UInt8(ascii: "}"): index += 1; return nil
            default: throw failure("expected ',' or '}'")
            }
        }
        guard current == UInt8(ascii: "\"") else { throw failure("expected a quoted key") }
        let key = try string()
        skipSpace()
        guard current == UInt8(ascii: ":") else { throw failure("expected ':' after a key") }
        index += 1
        skipSpace()
        return key
    }

    /// Enters an array if one starts here; `false` leaves the parser where it was.
    mutating func openArray() -> Bool {
        skipSpace()
        guard current == UInt8(ascii: "[") else { return false }
        index += 1
        return true
    }

    /// Whether another item of the array entered follows; false after the closing bracket.
    mutating func nextItem(first: inout Bool) throws(Failure) -> Bool {
        skipSpace()
        if first {
            first = false
            if current == UInt8(ascii: "]") { index += 1; return false }
            return true
        }
        switch current {
        case UInt8(ascii: ","): index += 1; skipSpace(); return true
        case UInt8(ascii: "]"): index += 1; return false
        default: throw failure("expected ',' or ']'")
        }
    }

    /// The whole value that starts here, nested at most `maxDepth` below `depth`.
    mutating func value(at depth: Int) throws(Failure) -> JSONValue {
        skipSpace()
        return try value(depth: depth)
    }
}

