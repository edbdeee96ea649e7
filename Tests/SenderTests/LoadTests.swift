import Foundation
import Shared
@testable import Sender
import Testing

@Suite struct LoadTests {
    @Test func parsesTheThreeAverages() throws {
        let load = try #require(Loadavg.parse("8.56 6.11 3.03 10/138 28175\n"))
        #expect(load == LoadAverages(load1: 8.56, load5: 6.11, load15: 3.03))
    }

    @Test(arguments: ["", "8.56 6.11", "a b c 1/2 3", "nan 1 1 1/1 1", "-1 1 1 1/1 1", "inf 0 0 1/1 1"])
    func malformedIsNil(text: String) {
        #expect(Loadavg.parse(text) == nil)
    }

    @Test func countsCPUListsAndStatLines() {
        #expect(OnlineCPUs.count(list: "0-1\n") == 2)
        #expect(OnlineCPUs.count(list: "0-3,6,8-9") == 7)
        #expect(OnlineCPUs.count(list: "0") == 1)
        for bad in ["", "\n", "3-1", "a", "0-", "-1", "0-99999999999"] { #expect(OnlineCPUs.count(list: bad) == nil, "\(bad)") }
        #expect(OnlineCPUs.count(stat: "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 2 3 4\nintr 5\n") == 2)
        #expect(OnlineCPUs.count(stat: "cpu  1 2 3 4\n") == nil)
    }

    @Test func parsesPressureLines() {
        let lines = Pressure.parse("some avg10=0.10 avg60=0.71 avg300=0.55 total=5763413\nfull avg10=0.00 avg60=0.07 avg300=0.23 total=4047629\n")
        #expect(lines == [PressureLine(scope: "some", avg10: 0.10, avg60: 0.71, avg300: 0.55), PressureLine(scope: "full", avg10: 0, avg60: 0.07, avg300: 0.23)])
        #expect(Pressure.parse("some avg10=x avg60=1 avg300=1\nother avg10=1 avg60=1 avg300=1\n").isEmpty)
        #expect(Pressure.key(resource: "io", scope: "full") == "pressureIoFull60")
    }

    /// A fixture tree without /sys (a container): the CPUs are counted from /proc/stat.
    @Test func countsCPUsFromStatWithoutSysfs() async throws {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("proc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tree) }
        try "3.00 2.00 1.00 1/100 42\n".write(to: tree.appendingPathComponent("proc/loadavg"), atomically: true, encoding: .utf8)
        try "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 2 3 4\ncpu2 1 2 3 4\ncpu3 1 2 3 4\n".write(to: tree.appendingPathComponent("proc/stat"), atomically: true, encoding: .utf8)
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "load", "--root", tree.path, "--host", "t"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        let load = try #require(report.observations.first)
        #expect(load.value == 0.75)
        #expect(load.details?["cpus"] == .number(4))
        #expect(load.details?["pressureCpuSome60"] == nil)
    }

    @Test func garbageLoadavgIsAnErrorObservation() async throws {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("proc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tree) }
        try Data(repeating: 0xFF, count: 10000).write(to: tree.appendingPathComponent("proc/loadavg"))
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "load", "--root", tree.path, "--host", "t"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.first?.status == "error")
        #expect(report.observations.first?.error?.contains("no load averages") == true)
    }
}
