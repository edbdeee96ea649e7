import Foundation
import Shared
import TestSupport
import Testing
@testable import Sender

/// The hand-written JSON of journal entries: any bytes give valid JSON that decodes to the text
/// `JournalMessage.display` (Shared) makes of them.
@Suite struct JournalEncoderTests {
    func encoded(_ bytes: [UInt8]) -> (json: [UInt8], invalid: Bool) {
        var out: [UInt8] = []
        let invalid = bytes.withUnsafeBufferPointer { JournalEncoder.string($0, to: &out) }
        return (out, invalid)
    }

    func decoded(_ json: [UInt8]) throws -> String {
        try JSONDecoder().decode(String.self, from: Data(json))
    }

    @Test(arguments: [
        Array("plain text".utf8), Array("quote \" backslash \\ slash /".utf8), Array("new\nline\ttab\rcr\u{0}nul\u{1F}\u{7F}".utf8),
        Array("é ✓ 😀".utf8), [0xFF], [0xC3], [0xC3, 0x28], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF0, 0x9F, 0x98], Array("ok ".utf8) + [0xFE] + Array(" ok".utf8), [],
    ])
    func escapesAsJournalMessageShowsIt(bytes: [UInt8]) throws {
        let (json, invalid) = encoded(bytes)
        let display = JournalMessage.display(bytes)
        #expect(try decoded(json) == display.text)
        #expect(invalid == display.escaped)
    }

    @Test func randomBytesAlwaysGiveValidJSON() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &generator)
            // Bias towards the bytes that matter: controls, quotes, backslashes, UTF-8 lead and continuation bytes.
            let pool: [UInt8] = [0x00, 0x0A, 0x1F, 0x22, 0x5C, 0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xC3, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
            let bytes = (0..<length).map { _ in Bool.random(using: &generator) ? pool.randomElement(using: &generator) ?? 0 : UInt8.random(in: 0...255, using: &generator) }
            let (json, invalid) = encoded(bytes)
            let display = JournalMessage.display(bytes)
            #expect(try decoded(json) == display.text, "\(bytes)")
            #expect(invalid == display.escaped, "\(bytes)")
            #expect(invalid == (String(validating: bytes, as: UTF8.self) == nil))
        }
    }

    @Test func base64AsFoundationWritesIt() {
        var generator = SeededGenerator(seed: 7)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var out: [UInt8] = []
            bytes.withUnsafeBufferPointer { JournalEncoder.base64($0, to: &out) }
            #expect(String(decoding: out, as: UTF8.self) == Data(bytes).base64EncodedString())
        }
    }

    @Test(arguments: [UInt64(0), 7, 10, 1_795_394_226_227_764, UInt64.max])
    func numbers(value: UInt64) {
        var out: [UInt8] = []
        JournalEncoder.number(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(value))
    }

    @Test func bootIdFromTheCursor() {
        let cursor = Array("s=ab;i=1;b=6f1e2d3c;m=3e8;t=1;x=2".utf8)
        let range = JournalEncoder.bootId(inCursor: cursor)
        #expect(range.map { String(decoding: cursor[$0], as: UTF8.self) } == "6f1e2d3c")
        #expect(JournalEncoder.bootId(inCursor: Array("s=ab;i=1".utf8)) == nil)
    }

    @Test func cursorTime() {
        #expect(CursorFile.realtime(of: "s=ab;i=1;b=cd;m=1;t=660e6cb160a34;x=1") == 0x660e6cb160a34)
        #expect(CursorFile.realtime(of: "s=ab;i=1") == nil)
        #expect(CursorFile.realtime(of: "t=zz") == nil)
    }

    @Test func hostIsPercentEncoded() {
        #expect(JournalDelivery.percentEncoded("web-1.example_x~") == "web-1.example_x~")
        #expect(JournalDelivery.percentEncoded("a b/c&d=é") == "a%20b%2Fc%26d%3D%C3%A9")
    }
}
