/// A Loki stream's labels as Promtail, Alloy and Vector write them in a protobuf push:
/// `{host="web-1", unit="nginx.service"}`, values quoted as Go quotes them (`strconv.Quote`), names
/// bare or, for names Prometheus calls UTF-8, quoted too. Strict and bounded: it reads at most
/// `maxLabels` pairs and refuses at the first thing out of place.
enum LokiLabels {
    struct Failure: Error, Equatable {
        var message: String
    }

    static func parse(_ text: [UInt8], maxLabels: Int, maxLength: Int) throws(Failure) -> [(name: String, value: String)] {
        var parser = Parser(bytes: text, maxLength: maxLength)
        return try parser.labels(maxLabels: maxLabels)
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxLength: Int
        var position = 0

        mutating func labels(maxLabels: Int) throws(Failure) -> [(name: String, value: String)] {
            spaces()
            try expect(UInt8(ascii: "{"))
            var pairs: [(name: String, value: String)] = []
            var names = Set<String>()
            spaces()
            if peek == UInt8(ascii: "}") { position += 1 } else {
                while true {
                    guard pairs.count < maxLabels else { throw Failure(message: "has more than \(maxLabels) labels") }
                    spaces()
                    let name = try self.name()
                    spaces()
                    try expect(UInt8(ascii: "="))
                    spaces()
                    guard peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "`") else { throw failure("a quoted value") }
                    let value = try quoted()
                    guard names.insert(name).inserted else { throw Failure(message: "has the label '\(name.prefix(64))' twice") }
                    pairs.append((name, value))
                    spaces()
                    if peek == UInt8(ascii: ",") { position += 1; continue }
                    try expect(UInt8(ascii: "}"))
                    break
                }
            }
            spaces()
            guard position == bytes.count else { throw failure("the end after '}'") }
            return pairs
        }

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func spaces() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            guard peek == byte else { throw failure("'\(Character(Unicode.Scalar(byte)))'") }
            position += 1
        }

        func failure(_ wanted: String) -> Failure {
            Failure(message: "is not a Loki label set {name=\"value\", ...}: expected \(wanted) at byte \(position)")
        }

        mutating func name() throws(Failure) -> String {
            if peek == UInt8(ascii: "\"") {
                let name = try quoted()
                guard !name.isEmpty else { throw failure("a label name") }
                return name
            }
            let start = position
            while let byte = peek, byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                || (position > start && byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
                position += 1
            }
            guard position > start else { throw failure("a label name") }
            guard position - start <= maxLength else { throw Failure(message: "has a label name longer than \(maxLength) bytes") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        /// A Go string literal: `"..."` with Go's escapes, or a raw `` `...` ``.
        mutating func quoted() throws(Failure) -> String {
            let quote = bytes[position]
            position += 1
            var out: [UInt8] = []
            while true {
                guard let byte = peek else { throw failure("a closing quote") }
                position += 1
                if byte == quote { break }
                guard out.count < maxLength else { throw Failure(message: "has a label longer than \(maxLength) bytes") }
                if quote == UInt8(ascii: "`") { out.append(byte); continue }
                guard byte != 0x0A else { throw failure("a closing quote before the line ends") }
                guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
                try escape(into: &out)
            }
            guard let text = String(validating: out, as: UTF8.self) else { throw Failure(message: "has a label that is not UTF-8") }
            return text
        }

        mutating func escape(into out: inout [UInt8]) throws(Failure) {
            guard let byte = peek else { throw failure("an escape") }
            position += 1
            let simple: [UInt8: UInt8] = [
                UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "f"): 12, UInt8(ascii: "n"): 10, UInt8(ascii: "r"): 13,
                UInt8(ascii: "t"): 9, UInt8(ascii: "v"): 11, UInt8(ascii: "\\"): 92, UInt8(ascii: "\""): 34,
            ]
            if let plain = simple[byte] { out.append(plain); return }
            switch byte {
            case UInt8(ascii: "x"): out.append(UInt8(try digits(2, radix: 16)))
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                position -= 1
                let value = try digits(3, radix: 8)
                guard value <= 255 else { throw failure("an octal escape up to \\377") }
                out.append(UInt8(value))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let value = try digits(byte == UInt8(ascii: "u") ? 4 : 8, radix: 16)
                guard let scalar = Unicode.Scalar(UInt32(value)) else { throw failure("a Unicode scalar") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw failure("one of Go's escapes")
            }
        }

        mutating func digits(_ count: Int, radix: Int) throws(Failure) -> Int {
            var value = 0
            for _ in 0..<count {
                guard let byte = peek, let digit = Int(String(Unicode.Scalar(byte)), radix: radix) else { throw failure("\(count) digits in base \(radix)") }
                value = value * radix + digit
                position += 1
            }
            return value
        }
    }
}
