import Foundation
import Shared
import TestSupport
import Testing

/// For every tree under Tests/Fixtures, `collect --dry-run --root TREE` prints exactly the
/// observations in the tree's expected.json.
@Suite struct FixtureTreeTests {
    static var trees: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SenderBinary.fixtures.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: SenderBinary.fixtures.appendingPathComponent("\($0)/expected.json").path)
        }.sorted()
    }

    @Test func thereAreTrees() {
        #expect(Self.trees.count >= 3, "fixture trees missing under \(SenderBinary.fixtures.path)")
    }

    @Test(arguments: FixtureTreeTests.trees)
    func dryRunMatchesExpected(tree: String) async throws {
        let root = SenderBinary.fixtures.appendingPathComponent(tree)
        // A fresh state directory: collectors that report deltas have no earlier run to compare with.
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--root", root.path, "--host", "fixture", "--state-dir", state.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        let expected = try Report.makeDecoder().decode(
            [Observation].self, from: Data(contentsOf: root.appendingPathComponent("expected.json")))
        #expect(report.host == "fixture")
        #expect(report.version == 1)
        #expect(report.observations == expected)
    }
}
