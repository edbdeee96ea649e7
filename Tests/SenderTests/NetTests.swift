import Foundation
import Shared
@testable import Sender
import Testing

@Suite struct NetTests {
    static let header = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed

        """

    @Test func parsesTheRealFile() throws {
        let text = try String(contentsOf: SenderBinary.fixtures.appendingPathComponent("host-counters-1/proc/net/dev"), encoding: .utf8)
        let interfaces = NetDev.parse(text)
        #expect(interfaces.map(\.name) == ["lo", "ifb0", "ifb1", "eth0"])
    }

    @Test func takesErrorsAndDropsFromTheirColumns() {
        let text = Self.header + "  eth1: 100 10 3 4 0 0 0 0 200 20 5 6 0 0 0 0\n"
        let interfaces = NetDev.parse(text)
        #expect(interfaces.count == 1)
        #expect(interfaces.first?.errors == InterfaceErrors(rxErrors: 3, rxDropped: 4, txErrors: 5, txDropped: 6))
        // Old kernels wrote no space after the colon.
        #expect(NetDev.parse("eth0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n").first?.errors.txErrors == 11)
    }

    @Test(arguments: ["eth0: 1 2 3\n", "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n", ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", "garbage\n"])
    func malformedLinesAreSkipped(line: String) {
        #expect(NetDev.parse(line).isEmpty)
    }

    @Test func skipsLoopbackAndVirtualUnlessNamed() {
        let context = CollectContext(root: SenderBinary.fixtures.appendingPathComponent("host-counters-1").path)
        #expect(NetCollector().admits("eth0", context))
        #expect(!NetCollector().admits("lo", context))
        #expect(!NetCollector().admits("ifb0", context), "ifb0 is under sys/devices/virtual/net")
        #expect(NetCollector(include: ["ifb*"]).admits("ifb0", context))
        #expect(!NetCollector(include: ["ifb*"]).admits("eth0", context))
        #expect(!NetCollector(exclude: ["eth*"]).admits("eth0", context))
    }

    /// Errors per minute from two readings 30 s apart (uptime is the clock).
    @Test func secondRunReportsErrorsPerMinute() async throws {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("net-\(UUID().uuidString.prefix(8))")
        let state = tree.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("proc/net"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tree) }
        func run(uptime: String, eth0: String) async throws -> [Observation] {
            try "\(uptime) 0.00\n".write(to: tree.appendingPathComponent("proc/uptime"), atomically: true, encoding: .utf8)
            try (Self.header + "    lo: 1 1 9 9 0 0 0 0 1 1 9 9 0 0 0 0\n  eth0: \(eth0)\n").write(to: tree.appendingPathComponent("proc/net/dev"), atomically: true, encoding: .utf8)
            let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "net", "--root", tree.path, "--state-dir", state.path, "--host", "t"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        }
        #expect(try await run(uptime: "1000.00", eth0: "100 10 3 4 0 0 0 0 200 20 5 6 0 0 0 0").isEmpty)
        let observations = try await run(uptime: "1030.00", eth0: "900 90 13 4 0 0 0 0 800 80 6 9 0 0 0 0")
        #expect(observations.map(\.name) == ["net:eth0"])
        let eth0 = try #require(observations.first)
        // 10 receive and 1 transmit error in 30 s: 22 per minute.
        #expect(eth0.value == 22)
        #expect(eth0.details?["rxErrorsPerMinute"] == .number(20))
        #expect(eth0.details?["txDroppedPerMinute"] == .number(6))
        // A reboot: uptime went back, so there is no baseline to compare with.
        #expect(try await run(uptime: "10.00", eth0: "1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0").isEmpty)
    }
}
