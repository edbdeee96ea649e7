@testable import Sender
import Testing

/// The counters' state file: plain text that survives a round trip, and anything else is no baseline.
@Suite struct CounterBaselineTests {
    @Test func roundTrips() {
        let baseline = CounterBaseline(bootId: "82e770a5-cdf6", uptime: 2269.6, rows: ["cpu": [1, 2, 3, 4, 5, 6, 7, 8], "eth0": [], "a b": [9]])
        #expect(CounterBaseline(stateText: baseline.stateText) == baseline)
        #expect(CounterBaseline(stateText: CounterBaseline().stateText) == CounterBaseline())
    }

    @Test func namesThatCannotBeWrittenAreLeftOut() {
        let baseline = CounterBaseline(rows: ["bad\tname": [1], "bad\nname": [2], "good": [3]])
        #expect(CounterBaseline(stateText: baseline.stateText)?.rows == ["good": [3]])
    }

    @Test(arguments: ["", "boot x\n", "uptime 1\nboot x\n", "boot x\nuptime nan\n", "boot x\nuptime 1\ncpu\t1 -2\n",
                      "boot x\nuptime 1\nno tab here\n", "boot x\nuptime 1\n\t1 2\n", "{\"bootId\": \"x\"}", "boot x\nuptime 1e999\n"])
    func damagedTextIsNoBaseline(text: String) {
        #expect(CounterBaseline(stateText: text) == nil)
    }
}
