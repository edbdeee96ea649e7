import NIOCore
import PostgresNIO
import Testing
@testable import Backend

/// Ingest binds its arrays with its own encoder; PostgreSQL must get the very bytes PostgresNIO
/// would send for the same array.
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
}
