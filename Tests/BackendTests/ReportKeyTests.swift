import Crypto
import Foundation
import Shared
import Testing
@testable import Backend

/// The key that tells a retried report from a new one. It is stored, so it must not change from
/// one version to the next: a sender retrying across an upgrade would double its samples.
@Suite struct ReportKeyTests {
    static func report(_ names: [String], id: String? = nil) -> Report {
        Report(version: 1, host: "web-1", sentAt: Date(timeIntervalSince1970: 1_795_000_000.25), reportId: id,
               observations: names.map { Observation(name: $0, kind: .gauge, value: 1) })
    }

    @Test func withoutAnIdTheKeyIsTheTimeAndAHashOfTheSortedNames() {
        let digest = SHA256.hash(data: Data("disk:/\nmemory\nraid:md0".utf8))
        let expected = "at:1795000000250:" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        #expect(ReportRows(Self.report(["memory", "raid:md0", "disk:/"])).dedupKey == expected)
        #expect(ReportRows(Self.report(["raid:md0", "disk:/", "memory"])).dedupKey == expected)
        #expect(ReportRows(Self.report(["memory", "disk:/"])).dedupKey != expected)
    }

    @Test func aReportIdIsTheKey() {
        #expect(ReportRows(Self.report(["memory"], id: "r-42")).dedupKey == "id:r-42")
    }
}
