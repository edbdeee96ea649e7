import NIOCore
import PostgresNIO
import Testing
@testable import Backend

/// Ingest binds its arrays with its own encoder and reads its answer's arrays with its own decoder;
/// PostgreSQL must get the very bytes PostgresNIO would send, and the decoder must read back what
/// PostgresNIO writes and refuse what it cannot read whole.
@Suite struct PostgresArrayTests {
    static func bytes(_ value: some PostgresEncodable) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try value.encode(into: &buffer, context: .default)
        return Array(buffer.readableBytesView)
    }

    @Test func writesWhatPostgresNIOWrites() throws {
        let texts = ["", "disk:/srv/2", "é ✓ 😀", String(repeating: "x", count: 300), "quote \" and \\ and \u{0}"]
        #expect(try Self.bytes(PostgresArray(texts)) == Self.bytes(texts))
        let numbers: [Double] = [0, -0.0, 81.5, .nan, .infinity, -.greatestFiniteMagnitude, .leastNonzeroMagnitude]
        #expect(try Self.bytes(PostgresArray(numbers)) == Self.bytes(numbers))
        let integers: [Int64] = [0, -1, 1, .min, .max]
        #expect(try Self.bytes(PostgresArray(integers)) == Self.bytes(integers))
        #expect(try Self.bytes(PostgresArray([String]())) == Self.bytes([String]()))
        #expect(try Self.bytes(PostgresArray([Double]())) == Self.bytes([Double]()))
        #expect(PostgresArray<String>.psqlType == [String].psqlType)
        #expect(PostgresArray<Double>.psqlType == [Double].psqlType)
        #expect(PostgresArray<Int64>.psqlType == [Int64].psqlType)
    }

    static func decode<Element: PostgresArrayElement>(_ bytes: [UInt8], as type: PostgresDataType = Element.arrayType) throws -> [Element] {
        var buffer = ByteBuffer(bytes: bytes)
        return try PostgresArray<Element>(from: &buffer, type: type, format: .binary, context: .default).elements
    }

    @Test func readsWhatPostgresNIOWrites() throws {
        let texts = ["", "disk:/srv/2", "é ✓ 😀", String(repeating: "x", count: 300), "quote \" and \\ and \u{0}"]
        #expect(try Self.decode(Self.bytes(texts)) == texts)
        let integers: [Int64] = [0, -1, 1, .min, .max]
        #expect(try Self.decode(Self.bytes(integers)) == integers)
        let numbers: [Double] = [0, 81.5, .infinity, -.greatestFiniteMagnitude, .leastNonzeroMagnitude]
        #expect(try Self.decode(Self.bytes(numbers)) == numbers)
        #expect(try Self.decode(Self.bytes([Int64]())) == [Int64]())
        #expect(try Self.decode(Self.bytes([String]())) == [String]())
    }

    @Test func refusesWhatItCannotReadWhole() throws {
        // One dimension, NULLs, int8 elements, one element from index 1: a NULL.
        let withNull: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]
        #expect(throws: (any Error).self) { let _: [Int64] = try Self.decode(withNull) }
        let integers = try Self.bytes([Int64(7), 8])
        #expect(throws: (any Error).self) { let _: [Int64] = try Self.decode(Array(integers.dropLast())) }
        #expect(throws: (any Error).self) { let _: [String] = try Self.decode(integers) }
        #expect(throws: (any Error).self) { let _: [Int64] = try Self.decode(integers, as: .textArray) }
        let twoDimensions: [UInt8] = [0, 0, 0, 2] + integers.dropFirst(4)
        #expect(throws: (any Error).self) { let _: [Int64] = try Self.decode(twoDimensions) }
    }
}
