import Testing
@testable import Backend

/// Raw snappy: the golden bodies python-snappy made (literals and copies), copies that overlap
/// what they write, and the refusals.
@Suite struct SnappyTests {
    /// A body compressed as one literal: any bytes, wrapped so the decoder reaches them.
    static func literal(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var length = bytes.count
        repeat {
            out.append(UInt8(length & 0x7F) | (length >= 0x80 ? 0x80 : 0))
            length >>= 7
        } while length > 0
        guard !bytes.isEmpty else { return out }
        let count = bytes.count - 1
        out += [63 << 2, UInt8(count & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 24 & 0xFF)]
        return out + bytes
    }

    @Test func pythonSnappysBodiesDecodeToTheirDeclaredLength() throws {
        let body = try LokiFixtures.body("promtail.snappy")
        let decoded = try Snappy.decompress(body, limit: 1 << 20)
        // The body is smaller than what it holds: copies were taken, not only literals.
        #expect(decoded.count > body.count + 100)
        #expect(String(decoding: decoded, as: UTF8.self).contains("upstream timed out"))
        #expect(try Snappy.decompress(Self.literal(decoded), limit: 1 << 20) == decoded)
    }

    @Test func aCopyMayOverlapWhatItWrites() throws {
        // "ab", then a copy of 10 bytes from 2 back (tag 1: length 4 + 6, offset 2).
        let body: [UInt8] = [12, 1 << 2, 0x61, 0x62, 0b000_110_01, 2]
        #expect(try Snappy.decompress(body, limit: 64) == Array("abababababab".utf8))
    }

    @Test func badBodiesAreRefusedWithoutAllocatingTheirClaims() {
        #expect(throws: Snappy.Failure.tooLarge(declared: 4_294_967_295)) { try Snappy.decompress([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0], limit: 8 << 20) }
        #expect(throws: Snappy.Failure.tooLarge(declared: 65)) { try Snappy.decompress([65], limit: 64) }
        let corrupt: [[UInt8]] = [
            [], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],  // no preamble; one too long
            [4, 0b000_000_01, 1],  // a copy before anything was written
            [2, 1 << 2, 0x61],  // a literal past the end
            [3, 1 << 2, 0x61, 0x62, 0b000_110_01, 2],  // more than declared
            [5, 0, 0x61],  // fewer than declared
            [4, 62 << 2, 0x00],  // a tag cut short
        ]
        for body in corrupt {
            #expect(throws: Snappy.Failure.self, "\(body)") { try Snappy.decompress(body, limit: 64) }
        }
    }

    @Test func protobufVarintsAndLengthsAreBounded() throws {
        var ok = ProtobufReader([0x96, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try ok.varint() == 150)
        #expect(try ok.varint() == UInt64.max)
        var long = ProtobufReader([UInt8](repeating: 0xFF, count: 10) + [0x01])
        #expect(throws: ProtobufReader.Failure.badVarint) { try long.varint() }
        var tenth = ProtobufReader([UInt8](repeating: 0xFF, count: 9) + [0x02])
        #expect(throws: ProtobufReader.Failure.badVarint) { try tenth.varint() }
        var past = ProtobufReader([0x0A, 0x05, 0x01])
        _ = try past.field()
        #expect(throws: ProtobufReader.Failure.truncated) { try past.lengthDelimited() }
        var group = ProtobufReader([0x0B])
        #expect(throws: ProtobufReader.Failure.badWireType(3)) { try group.field() }
        var fixed = ProtobufReader([0x0D, 1, 2, 3])
        let (_, type) = try #require(try fixed.field())
        #expect(throws: ProtobufReader.Failure.truncated) { try fixed.skip(type) }
    }
}
