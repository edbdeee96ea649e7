import Shared
import Testing

@Suite struct TimeSpanTests {
    @Test(arguments: [("90s", 90), ("5m", 300), ("1h", 3600), ("1d", 86400), ("1h30m", 5400), (" 2m ", 120), ("0s", 0)])
    func parses(text: String, seconds: Int) throws {
        #expect(try TimeSpan(parsing: text).seconds == seconds)
    }

    @Test(arguments: [(90, "90s"), (300, "5m"), (3600, "1h"), (86400, "1d"), (5400, "90m"), (0, "0s"), (86401, "86401s")])
    func prints(seconds: Int, text: String) {
        #expect(TimeSpan(seconds: seconds).description == text)
    }

    @Test func refusesBadInput() {
        #expect(throws: TimeSpanError.missingUnit("90")) { try TimeSpan(parsing: "90") }
        #expect(throws: TimeSpanError.malformed("5x")) { try TimeSpan(parsing: "5x") }
        #expect(throws: TimeSpanError.malformed("m5")) { try TimeSpan(parsing: "m5") }
        #expect(throws: TimeSpanError.malformed("-5m")) { try TimeSpan(parsing: "-5m") }
        #expect(throws: TimeSpanError.empty) { try TimeSpan(parsing: "  ") }
        #expect(throws: TimeSpanError.tooLong("99999999999999999999d")) { try TimeSpan(parsing: "99999999999999999999d") }
        #expect(throws: TimeSpanError.tooLong("5000d")) { try TimeSpan(parsing: "5000d") }
    }

    @Test func missingUnitMessageSuggestsUnits() {
        #expect(TimeSpanError.missingUnit("90").description.contains("90s"))
    }
}
