import Foundation
import Shared
import Testing
@testable import Backend

/// ALERT_RULES_FILE: defaults, per host, per check name on every host, per check of one host.
@Suite struct RulesFileTests {
    static func load(_ text: String) throws -> AlertSettings {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString.prefix(8)).toml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var settings = AlertSettings()
        try RulesFile.load(path: file.path, into: &settings)
        return settings
    }

    static func check(_ host: String, _ name: String) -> CheckRecord {
        var check = RulesTests.check(.disk, value: 50)
        check.host = host
        check.name = name
        return check
    }

    @Test func theMostSpecificSettingWins() throws {
        let settings = try Self.load("""
            [defaults]
            disk_alert_above = 92
            memory_sustain = "10m"
            [hosts."db.example.com"]
            disk_alert_above = 95
            [checks."*"."disk:/boot"]
            disk_alert_above = 80
            [checks."db.example.com"."disk:/var"]
            disk_min_free_gib = 20
            disk_alert_above = 98
            """)
        #expect(settings.rules(for: Self.check("web-1", "disk:/"), tags: []).diskAlertAbove == 92)
        #expect(settings.rules(for: Self.check("web-1", "disk:/"), tags: []).memorySustain == 600)
        #expect(settings.rules(for: Self.check("db.example.com", "disk:/"), tags: []).diskAlertAbove == 95)
        #expect(settings.rules(for: Self.check("db.example.com", "disk:/boot"), tags: []).diskAlertAbove == 80)
        #expect(settings.rules(for: Self.check("web-1", "disk:/boot"), tags: []).diskAlertAbove == 80)
        let var_ = settings.rules(for: Self.check("db.example.com", "disk:/var"), tags: [])
        #expect(var_.diskAlertAbove == 98 && var_.diskMinFreeGiB == 20)
        // Per-mount thresholds reach the rule itself.
        var full = Self.check("db.example.com", "disk:/var")
        full.value = 97
        #expect(Rules.evaluate(full, samples: [], now: RulesTests.now, settings: settings.rules(for: full, tags: [])).state == .ok)
        full.value = 99
        #expect(Rules.evaluate(full, samples: [], now: RulesTests.now, settings: settings.rules(for: full, tags: [])).state == .alert)
    }

    @Test(arguments: [
        ("[defaults]\ndisk_alert_abve = 90", "'defaults.disk_alert_abve' is not a rule setting"),
        ("[defaults]\ndisk_alert_above = 190", "must be a percent from 0 to 100"),
        ("[defaults]\nmemory_sustain = \"soon\"", "'soon' is not a duration"),
        ("[elsewhere]\ndisk_alert_above = 90", "is not in [defaults]"),
        ("[defaults\n", "line 1"),
    ])
    func mistakesNameTheKey(text: String, mention: String) throws {
        do {
            _ = try Self.load(text)
            Issue.record("accepted: \(text)")
        } catch let error as ConfigError {
            #expect(error.variable == "ALERT_RULES_FILE")
            #expect(error.message.contains(mention), "\(error.message)")
        }
    }
}
