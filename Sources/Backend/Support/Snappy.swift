/// Snappy's raw (block) format, as Promtail, Alloy and Vector compress Loki pushes: a varint
/// length, then literals and back-references (github.com/google/snappy, format_description.txt).
enum Snappy {
    enum Failure: Error, Equatable {
        /// The declared length is above the limit: refused before anything is allocated.
        case tooLarge(declared: UInt64)
        case corrupt(String)
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var position = 0
        var declared: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < input.count, shift <= 28 else { throw .corrupt("the length preamble is not a varint") }
            let byte = input[position]
            position += 1
            declared |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard declared <= UInt64(limit) else { throw .tooLarge(declared: declared) }
        let length = Int(declared)
        var output = [UInt8]()
        output.reserveCapacity(length)

        /// `count` bytes after the tag, little-endian.
        func little(_ count: Int) throws(Failure) -> Int {
            guard input.count - position >= count else { throw .corrupt("a tag is cut short") }
            var value = 0
            for index in 0..<count { value |= Int(input[position + index]) << (8 * index) }
            position += count
            return value
        }

        while position < input.count {
            let tag = input[position]
            position += 1
            switch tag & 3 {
            case 0:
                var count = Int(tag >> 2) + 1
                if count > 60 { count = try little(count - 60) + 1 }
                guard input.count - position >= count else { throw .corrupt("a literal runs past the end") }
                guard length - output.count >= count else { throw .corrupt("more bytes than the declared length") }
                output.append(contentsOf: input[position..<(position + count)])
                position += count
            default:
                let count: Int
                let offset: Int
                switch tag & 3 {
                case 1:
                    count = 4 + Int((tag >> 2) & 7)
                    offset = (Int(tag >> 5) << 8) | (try little(1))
                case 2:
                    count = 1 + Int(tag >> 2)
                    offset = try little(2)
                default:
                    count = 1 + Int(tag >> 2)
                    offset = try little(4)
                }
                guard offset > 0, offset <= output.count else { throw .corrupt("a copy points before the start") }
                guard length - output.count >= count else { throw .corrupt("more bytes than the declared length") }
                // Byte by byte: a copy may overlap what it writes (a run of one byte repeated).
                let start = output.count - offset
                for index in 0..<count { output.append(output[start + index]) }
            }
        }
        guard output.count == length else { throw .corrupt("fewer bytes than the declared length") }
        return output
    }
}
