import Foundation
import Shared
import TestSupport
import Testing

@Suite struct ReportValidationTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func report(_ observations: [Observation], host: String = "web-1", sentAt: Date? = nil) -> Report {
        Report(host: host, bootId: "b", sentAt: sentAt ?? now, sender: "metrics-sender/0.1.0", observations: observations)
    }

    func field(of report: Report) -> String? {
        do {
            try report.validate()
            return nil
        } catch {
            return error.field
        }
    }

    @Test func acceptsTheArchitectureExample() throws {
        let json = """
            {"version": 1, "host": "web-1", "bootId": "x", "sentAt": "2026-11-22T12:00:00Z",
             "sender": "metrics-sender/0.1.0",
             "observations": [
              {"name": "memory", "kind": "memory", "value": 37.29, "unit": "%",
               "details": {"totalBytes": 67337228288, "availableBytes": 42224185344, "swapUsedPercent": 25.0}},
              {"name": "disk:/", "kind": "disk", "value": 71.0, "unit": "%",
               "details": {"mountPoint": "/", "device": "/dev/md2", "fsType": "ext4",
                           "sizeBytes": 1, "availBytes": 1, "inodesUsedPercent": 3.1}},
              {"name": "raid:md2", "kind": "raid", "value": null, "status": "degraded",
               "details": {"level": "raid1", "arrayState": "active", "disksRequired": 2, "disksActive": 1,
                           "disksFailed": 1, "disksSpare": 0, "syncAction": "recovery", "syncPercent": 23.4}},
              {"name": "backup-db", "kind": "heartbeat", "every": 86400, "grace": 3600}]}
            """
        let decoded = try Report.makeDecoder().decode(Report.self, from: Data(json.utf8))
        #expect(decoded.observations.count == 4)
        #expect(decoded.observations[2].details?["syncPercent"] == .number(23.4))
        #expect(decoded.observations[3].every == 86400)
        try decoded.validate()
        let again = try Report.makeDecoder().decode(Report.self, from: Report.makeEncoder().encode(decoded))
        #expect(again == decoded)
    }

    @Test func namesMayHoldSpacesAmpersandsHashesAndAngles() throws {
        try report([Observation(name: "disk:/mnt/My Files & #1 <x>", kind: .disk, value: 3)]).validate()
    }

    @Test func namesTheBadField() {
        #expect(field(of: report([Observation(name: "", kind: .memory)])) == "observations[0].name")
        #expect(field(of: report([.init(name: "ok", kind: .memory), .init(name: "a\u{7}b", kind: .memory)])) == "observations[1].name")
        #expect(field(of: report([Observation(name: String(repeating: "x", count: 201), kind: .gauge)])) == "observations[0].name")
        #expect(field(of: report([Observation(name: "m", kind: .memory, value: .nan)])) == "observations[0].value")
        #expect(field(of: report([Observation(name: "m", kind: .memory, value: .infinity)])) == "observations[0].value")
        #expect(field(of: report([Observation(name: "m", kind: .memory, details: ["x": .object(["y": .number(.nan)])])])) == "observations[0].details.x.y")
        #expect(field(of: report([Observation(name: "m", kind: .memory, status: "weird")])) == "observations[0].status")
        #expect(field(of: report([Observation(name: "h", kind: .heartbeat, every: -1)])) == "observations[0].every")
        #expect(field(of: report([.init(name: "m", kind: .memory), .init(name: "m", kind: .memory)])) == "observations[1].name")
        #expect(field(of: report([], host: "bad\nhost")) == "host")
        // The backend's log rules own `log:NAME`: a sender may not report over one.
        #expect(field(of: report([Observation(name: "log:oom", kind: .gauge, value: 0)])) == "observations[0].name")
    }

    @Test func refusesUnknownKinds() throws {
        var observation = Observation(name: "x", kind: .gauge)
        observation.kind = "temperature"
        #expect(field(of: report([observation])) == "observations[0].kind")
    }

    @Test func boundsObservationCount() {
        let many = (0...1000).map { Observation(name: "g\($0)", kind: .gauge, value: 1) }
        #expect(field(of: report(many)) == "observations")
        #expect(field(of: report(Array(many.prefix(1000)))) == nil)
    }

    @Test func refusesInsaneTimestamps() {
        #expect(field(of: report([], sentAt: Date(timeIntervalSince1970: 0))) == "sentAt")
        // A clock ahead is no reason to lose the report: the backend places it at its arrival.
        #expect(field(of: report([], sentAt: now.addingTimeInterval(7200))) == nil)
        #expect(field(of: report([], sentAt: now.addingTimeInterval(600))) == nil)
    }

    @Test func boundsDetailNesting() {
        var deep: JSONValue = 1
        for _ in 0..<10 { deep = .array([deep]) }
        #expect(field(of: report([Observation(name: "g", kind: .gauge, details: ["d": deep])])) == "observations[0].details")
    }
}
