import Foundation
import Shared
@testable import Sender
import Testing

@Suite struct CPUTests {
    @Test func parsesTheAggregateLine() throws {
        let times = try #require(ProcStat.parse("cpu  105250 3 19743 327069 518 0 110 368 0 0\ncpu0 51412 0 9238 165668 59 0 9 197 0 0\n"))
        #expect(times == CPUTimes(user: 105_250, nice: 3, system: 19743, idle: 327_069, iowait: 518, irq: 0, softirq: 110, steal: 368))
        // A 2.4 kernel: four fields only.
        #expect(ProcStat.parse("cpu 1 2 3 4\n") == CPUTimes(user: 1, nice: 2, system: 3, idle: 4))
    }

    @Test(arguments: ["", "cpu 1 2 3\n", "cpu 1 2 x 4\n", "intr 1 2 3 4\n", "cpu -1 2 3 4\n"])
    func malformedIsNil(text: String) {
        #expect(ProcStat.parse(text) == nil)
    }

    @Test func usageBetweenTwoReadings() throws {
        let old = CPUTimes(user: 100, nice: 0, system: 50, idle: 800, iowait: 40, irq: 0, softirq: 10, steal: 0)
        // 1000 ticks later: 200 user, 100 system, 500 idle, 150 iowait, 50 steal.
        let new = CPUTimes(user: 300, nice: 0, system: 150, idle: 1300, iowait: 190, irq: 0, softirq: 10, steal: 50)
        let usage = try #require(ProcStat.usage(from: old, to: new))
        #expect(usage == CPUUsage(busyPercent: 35, iowaitPercent: 15, stealPercent: 5))
        #expect(ProcStat.usage(from: new, to: old) == nil, "counters that went back (a reboot) give no usage")
        #expect(ProcStat.usage(from: old, to: old) == nil, "no tick passed")
    }

    /// Two real readings of this machine's /proc, 29 s apart: the first run reports nothing,
    /// the second the busy share between them.
    @Test func secondRunReportsTheDelta() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("cpu-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        func run(_ tree: String) async throws -> [Observation] {
            let root = SenderBinary.fixtures.appendingPathComponent(tree).path
            let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "cpu", "--root", root, "--state-dir", state.path, "--host", "t"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        }
        #expect(try await run("host-counters-1").isEmpty)
        let cpu = try #require(try await run("host-counters-2").first)
        let old = try #require(ProcStat.parse(try String(contentsOf: SenderBinary.fixtures.appendingPathComponent("host-counters-1/proc/stat"), encoding: .utf8)))
        let new = try #require(ProcStat.parse(try String(contentsOf: SenderBinary.fixtures.appendingPathComponent("host-counters-2/proc/stat"), encoding: .utf8)))
        let total = Double(new.total - old.total)
        let idle = Double(new.idle - old.idle + new.iowait - old.iowait)
        #expect(cpu.name == "cpu")
        #expect(cpu.value == ((total - idle) / total * 1000).rounded() / 10)
        #expect(cpu.details?["iowaitPercent"] == .number((Double(new.iowait - old.iowait) / total * 1000).rounded() / 10))
        // The same reading again: no tick passed, so nothing to say rather than a made-up 0 %.
        #expect(try await run("host-counters-2").isEmpty)
    }

    @Test func anUnwritableStateDirectoryIsSaid() async throws {
        let root = SenderBinary.fixtures.appendingPathComponent("host-counters-1").path
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "cpu", "--root", root, "--state-dir", "/proc/no-such-dir", "--host", "t"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.first?.status == "error")
        #expect(report.observations.first?.error?.contains("--state-dir") == true)
    }

    /// Counters near the top of UInt64 (a damaged /proc under --root): no trap, whatever their sum.
    @Test func countersWhoseSumWrapsAreNoCrash() throws {
        let old = CPUTimes(user: UInt64.max, nice: 0, system: 0, idle: 0)
        let new = CPUTimes(user: UInt64.max, nice: 1, system: 0, idle: 0)
        #expect(ProcStat.usage(from: old, to: new)?.busyPercent == 100)
        let huge = CPUTimes(user: 1 << 63, nice: 0, system: 0, idle: (1 << 63) - 1)
        #expect(ProcStat.usage(from: CPUTimes(), to: huge) != nil)
    }
}
