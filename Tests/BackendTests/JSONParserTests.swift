import Foundation
import NIOCore
import Shared
import Testing
@testable import Backend

/// The ingest parser must read what Foundation's reads and refuse what it refuses.
@Suite struct JSONParserTests {
    static func parse(_ text: String) throws -> JSONValue {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBytes { try JSONParser.parse(UnsafeRawBufferPointer($0)) }
    }

    @Test(arguments: [
        #"{"a":[1,-2.5,3e2,0.125E-1,true,false,null],"b":{"c":"d"},"e":"","f":[],"g":{}}"#,
        #"  "tab\t \"quote\" back\\slash \/ \u00e9 \ud83d\ude00 ✓"  "#,
        "-0", "123456789012345", "[[[[[]]]]]",
    ])
    func agreesWithFoundation(_ text: String) throws {
        let ours = try Self.parse(text)
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a" 1}"#, #"{"a":1,}"#, "01", "1.", "-", "1e", "tru", "nul", #""\x""#, #""\u12""#,
        #""\ud800""#, "\"a\u{1}b\"", "{} {}", "[1 2]", "NaN", "1e999",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try Self.parse(text) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        var invalid: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONParser.Failure.self) {
            try invalid.withUnsafeMutableBytes { try JSONParser.parse(UnsafeRawBufferPointer($0)) }
        }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParser.Failure.self) { try Self.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect((try? Self.parse(fine)) != nil)
    }

    /// Short decimals skip the string and strtod; they must still come out bit for bit the same.
    @Test func readsDecimalsExactlyAsStrtodDoes() throws {
        var texts = ["0", "-0", "0.1", "-0.0", "1.5", "81.25", "999999999999999", "123456789012345", "0.000000000000001",
                     "12345678901234.5", "1234567890123456", "0.30000000000000004", "5e-324", "1.7976931348623157e308"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        for _ in 0..<5000 {
            let digits = (0..<(1 + next(17))).map { _ in String(next(10)) }.joined()
            let point = Int(next(UInt64(digits.count + 1)))
            var text = point == digits.count ? digits : String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if text.hasPrefix(".") { text = "0" + text }
            while text.count > 1 && text.hasPrefix("0") && !text.hasPrefix("0.") { text.removeFirst() }
            texts.append(next(2) == 0 ? text : "-" + text)
        }
        for text in texts {
            guard case .number(let ours) = try Self.parse(text), let theirs = Double(text) else {
                Issue.record("\(text) did not read as a number")
                continue
            }
            #expect(ours.bitPattern == theirs.bitPattern, "\(text)")
        }
    }

    @Test func readsTheReportTheSenderWrites() throws {
        let report = Reports.sample()
        let data = try Report.makeEncoder().encode(report)
        let read = try ReportReader.report(from: ByteBuffer(data: data))
        #expect(read.host == report.host)
        #expect(read.observations == report.observations)
        #expect(abs(read.sentAt.timeIntervalSince(report.sentAt)) < 1)
    }
}
