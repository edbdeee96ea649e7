import Foundation
import NIOCore
import Shared
import Testing
@testable import Backend

/// The report reader walks the body once, straight into the report: it must read every field,
/// skip what it does not know, and name the field of each mistake as the Codable types would.
@Suite struct ReportReaderTests {
    static let head = #""version":1,"host":"web-1","sentAt":"2026-11-22T12:00:00Z""#

    static func read(_ text: String) -> Result<Report, APIError> {
        Result { () throws(APIError) in try ReportReader.report(from: ByteBuffer(string: text)) }
    }

    @Test func readsEveryFieldAndSkipsUnknownOnes() throws {
        let text = """
            { "future": {"nested": [1, {"x": null}]}, \(Self.head), "bootId": "b-1", "sender": "s 1.0", "reportId": "r-9",
              "observations": [
                {"name": "md0", "kind": "raid", "status": "degraded", "details": {"members": ["sda1"], "level": "raid1"}, "extra": [true]},
                {"name": "backup", "kind": "heartbeat", "every": 3600, "grace": 300, "value": null, "details": null},
                {"name": "disk:/", "kind": "disk", "value": 81.5, "unit": "%", "error": "slow"}
              ] }
            """
        let report = try Self.read(text).get()
        #expect(report.version == 1 && report.host == "web-1" && report.bootId == "b-1")
        #expect(report.sender == "s 1.0" && report.reportId == "r-9")
        #expect(report.sentAt == Report.parseTime("2026-11-22T12:00:00Z"))
        #expect(report.observations == [
            Observation(name: "md0", kind: .raid, status: "degraded", details: ["members": .array(["sda1"]), "level": "raid1"]),
            Observation(name: "backup", kind: .heartbeat, every: 3600, grace: 300),
            Observation(name: "disk:/", kind: .disk, value: 81.5, unit: "%", error: "slow"),
        ])
    }

    @Test func ofAKeyGivenTwiceTheLastCounts() throws {
        let report = try Self.read(#"{"host":"old",\#(Self.head),"observations":[{"name":"a","kind":"gauge","value":1,"value":2}]}"#).get()
        #expect(report.host == "web-1")
        #expect(report.observations.first?.value == 2)
    }

    @Test(arguments: [
        (#"{\#(head)}"#, "observations"),
        (#"{\#(head),"observations":{}}"#, "observations"),
        (#"{\#(head),"observations":null}"#, "observations"),
        (#"{\#(head),"observations":[{"name":"a","kind":"gauge"},7]}"#, "observations[1]"),
        (#"{\#(head),"observations":[{"kind":"gauge"}]}"#, "observations[0].name"),
        (#"{\#(head),"observations":[{"name":"a"}]}"#, "observations[0].kind"),
        (#"{\#(head),"observations":[{"name":"a","kind":"gauge","value":"1"}]}"#, "observations[0].value"),
        (#"{\#(head),"observations":[{"name":"a","kind":"gauge","every":1.5}]}"#, "observations[0].every"),
        (#"{\#(head),"observations":[{"name":"a","kind":"gauge","grace":"1"}]}"#, "observations[0].grace"),
        (#"{\#(head),"observations":[{"name":"a","kind":"gauge","details":"x"}]}"#, "observations[0].details"),
        (#"{\#(head),"observations":[{"name":1,"kind":"gauge"}]}"#, "observations[0].name"),
        (#"{"version":"1","host":"web-1","sentAt":"2026-11-22T12:00:00Z","observations":[]}"#, "version"),
        (#"{"version":1,"host":["web-1"],"sentAt":"2026-11-22T12:00:00Z","observations":[]}"#, "host"),
        (#"{"version":1,"host":"web-1","observations":[]}"#, "sentAt"),
        (#"{"version":1,"sentAt":"2026-11-22T12:00:00Z","observations":[]}"#, "host"),
        (#"{"host":"web-1","sentAt":"2026-11-22T12:00:00Z","observations":[]}"#, "version"),
    ])
    func namesTheFieldOfEachMistake(text: String, field: String) {
        guard case .failure(let error) = Self.read(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(error.status == .badRequest)
        #expect(error.field == field)
    }

    @Test(arguments: [
        "", "[]", #"{"a":1} x"#, #"{\#(head),"observations":[{"name":"a","kind":"gauge"}"#,
        #"{\#(head),"observations":[{"name":"a" "kind":"gauge"}]}"#, #"{\#(head),"observations":[{"name":"a","kind":"gauge"} {}]}"#,
        #"{\#(head),"observations":[]} {}"#,
    ])
    func refusesWhatIsNotAReportObject(text: String) {
        guard case .failure(let error) = Self.read(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(error.status == .badRequest)
        #expect(error.field == nil)
        #expect(error.message.hasPrefix("the body is not valid JSON") || error.message == "the body must be a JSON object (a report)")
    }
}
