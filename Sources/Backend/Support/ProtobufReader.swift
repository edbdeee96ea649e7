/// Reads protobuf's wire format field by field: varints, length-delimited fields, and the
/// fixed-width ones skipped. Only what a message decoder needs; every read is checked against the
/// end of the bytes, so a hostile body ends in a `Failure`, never past the buffer.
struct ProtobufReader {
    enum Failure: Error, Equatable {
        case truncated
        /// More than ten bytes, or a tenth byte above 1: not a 64-bit varint.
        case badVarint
        /// Wire types 3 and 4 (groups, gone since proto3) and 6, 7 (none).
        case badWireType(Int)
    }

    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private let buffer: [UInt8]
    private(set) var position: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes, 0..<bytes.count)
    }

    /// A reader of `range` only: an embedded message, sharing the bytes.
    init(_ bytes: [UInt8], _ range: Range<Int>) {
        buffer = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type, or nil at the end.
    mutating func field() throws(Failure) -> (number: Int, type: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        let raw = Int(key & 7)
        guard let type = WireType(rawValue: raw) else { throw .badWireType(raw) }
        return (Int(key >> 3), type)
    }

    mutating func varint() throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated }
            let byte = buffer[position]
            position += 1
            if shift == 63 && byte > 1 { throw .badVarint }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            guard shift <= 63 else { throw .badVarint }
        }
    }

    /// The range of a length-delimited field's bytes; the reader moves past them.
    mutating func lengthDelimited() throws(Failure) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw .truncated }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    mutating func string() throws(Failure) -> [UInt8] {
        bytes(try lengthDelimited())
    }

    func bytes(_ range: Range<Int>) -> [UInt8] { Array(buffer[range]) }

    /// Moves past a field this decoder does not know, as protobuf requires.
    mutating func skip(_ type: WireType) throws(Failure) {
        switch type {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64: try advance(8)
        case .fixed32: try advance(4)
        }
    }

    private mutating func advance(_ count: Int) throws(Failure) {
        guard end - position >= count else { throw .truncated }
        position += count
    }

    /// A reader of an embedded message's bytes.
    func message(_ range: Range<Int>) -> ProtobufReader { ProtobufReader(buffer, range) }
}
