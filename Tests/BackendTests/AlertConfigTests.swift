import Foundation
import Testing
@testable import Backend

/// Alerting settings from the environment: channels, and one-line errors naming the variable.
@Suite struct AlertConfigTests {
    @Test func channelsComeFromTheEnvironment() throws {
        let config = try AlertConfig.fromEnvironment(
            ["TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_CHAT_ID": "11, -22", "WEBHOOK_URL": "https://hooks.example/a", "REMIND_EVERY": "1h",
             "REPORT_INTERVAL": "5m", "FLAP_FLIPS": "3"], publicURL: "https://m.example")
        #expect(config.notifiers.keys.sorted() == ["telegram:-22", "telegram:11", "webhook"])
        #expect(config.settings.remindEvery == 3600)
        #expect(config.settings.rules.reportEvery == 300)
        #expect(config.settings.flapFlips == 3)
        #expect(config.settings.publicURL == "https://m.example")
        #expect(try AlertConfig.fromEnvironment([:], publicURL: nil).notifiers.isEmpty)
    }

    @Test func theLeaderWatchHasDefaultsAndCanBeTurnedOff() throws {
        let defaults = try AlertConfig.fromEnvironment([:], publicURL: nil)
        #expect(defaults.leaderStaleAfter == 15 && defaults.leaderTakeoverAfter == 120)
        let set = try AlertConfig.fromEnvironment(["LEADER_STALE_AFTER": "30s", "LEADER_TAKEOVER_AFTER": "5m"], publicURL: nil)
        #expect(set.leaderStaleAfter == 30 && set.leaderTakeoverAfter == 300)
        #expect(try AlertConfig.fromEnvironment(["LEADER_TAKEOVER_AFTER": "off"], publicURL: nil).leaderTakeoverAfter == nil)
    }

    @Test(arguments: [
        (["TELEGRAM_BOT_TOKEN": "1:x"], "TELEGRAM_CHAT_ID"),
        (["TELEGRAM_CHAT_ID": "11"], "TELEGRAM_BOT_TOKEN"),
        (["WEBHOOK_URL": "ftp://x"], "WEBHOOK_URL"),
        (["REMIND_EVERY": "10s"], "REMIND_EVERY"),
        (["FLAP_FLIPS": "1"], "FLAP_FLIPS"),
        (["ALERT_RULES_FILE": "/nonexistent/rules.toml"], "ALERT_RULES_FILE"),
        (["LEADER_STALE_AFTER": "5s"], "LEADER_STALE_AFTER"),
        (["LEADER_TAKEOVER_AFTER": "never"], "LEADER_TAKEOVER_AFTER"),
    ])
    func badSettingsNameTheirVariable(env: [String: String], variable: String) {
        do {
            _ = try AlertConfig.fromEnvironment(env, publicURL: nil)
            Issue.record("accepted \(env)")
        } catch let error as ConfigError {
            #expect(error.variable == variable)
        } catch {
            Issue.record("\(error)")
        }
    }
}
