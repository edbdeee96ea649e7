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

    @Test func everyChannelHasItsNameAndBudget() throws {
        let config = try AlertConfig.fromEnvironment([
            "SMTP_URL": "smtps://mail.example.com:465", "SMTP_FROM": "Metrics <m@example.com>", "SMTP_TO": "a@example.com,b@example.com",
            "NTFY_TOPIC": "ops-alerts", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x",
            "DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/1/x", "MATRIX_HOMESERVER": "https://matrix.example.org",
            "MATRIX_ACCESS_TOKEN": "syt_x", "MATRIX_ROOM_ID": "!abc:example.org", "GOTIFY_URL": "https://gotify.example.com",
            "GOTIFY_TOKEN": "A1", "ALERTMANAGER_URL": "http://alertmanager:9093",
        ], publicURL: nil)
        let budgets = config.notifiers.mapValues(\.budget)
        #expect(budgets == [
            "email": ChannelBudget(spacing: 30), "ntfy": ChannelBudget(spacing: 5), "slack": ChannelBudget(spacing: 1),
            "discord": ChannelBudget(spacing: 2), "matrix": ChannelBudget(spacing: 5), "gotify": ChannelBudget(spacing: 1),
            "alertmanager": ChannelBudget(spacing: 0),
        ])
        #expect(config.channels.ntfy?.serverURL == "https://ntfy.sh")
        #expect(config.channels.email?.transfer.to.map(\.address) == ["a@example.com", "b@example.com"])
        #expect(config.channels.email?.transfer.from == EmailAddress(parsing: "Metrics <m@example.com>"))
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
        (["SMTP_TO": "ops@example.com"], "SMTP_URL"),
        (["SMTP_URL": "http://mail.example.com", "SMTP_FROM": "a@example.com", "SMTP_TO": "b@example.com"], "SMTP_URL"),
        (["SMTP_URL": "smtp://user:pw@mail.example.com", "SMTP_FROM": "a@example.com", "SMTP_TO": "b@example.com"], "SMTP_URL"),
        (["SMTP_URL": "smtp://mail.example.com", "SMTP_TO": "b@example.com"], "SMTP_FROM"),
        (["SMTP_URL": "smtp://mail.example.com", "SMTP_FROM": "a@example.com"], "SMTP_TO"),
        (["SMTP_URL": "smtp://mail.example.com", "SMTP_FROM": "a@example.com", "SMTP_TO": "b@example.com, not an address"], "SMTP_TO"),
        (["SMTP_URL": "smtp://mail.example.com", "SMTP_FROM": "a@example.com", "SMTP_TO": "b@example.com", "SMTP_USERNAME": "a"], "SMTP_PASSWORD"),
        (["SMTP_URL": "smtp://mail.example.com", "SMTP_FROM": "a@example.com", "SMTP_TO": "b@example.com", "SMTP_CA_FILE": "/nonexistent.pem"], "SMTP_CA_FILE"),
        (["NTFY_TOKEN": "tk_x"], "NTFY_TOPIC"),
        (["NTFY_TOPIC": "ops/alerts"], "NTFY_TOPIC"),
        (["NTFY_TOPIC": "ops", "NTFY_URL": "ntfy.sh"], "NTFY_URL"),
        (["SLACK_WEBHOOK_URL": "hooks.slack.com/services/x"], "SLACK_WEBHOOK_URL"),
        (["DISCORD_WEBHOOK_URL": "ftp://discord.com/api/webhooks/1/x"], "DISCORD_WEBHOOK_URL"),
        (["MATRIX_HOMESERVER": "https://matrix.example.org", "MATRIX_ACCESS_TOKEN": "syt_x"], "MATRIX_ROOM_ID"),
        (["MATRIX_HOMESERVER": "https://matrix.example.org", "MATRIX_ACCESS_TOKEN": "syt_x", "MATRIX_ROOM_ID": "#ops:example.org"], "MATRIX_ROOM_ID"),
        (["GOTIFY_TOKEN": "A1"], "GOTIFY_URL"),
        (["ALERTMANAGER_URL": "alertmanager:9093"], "ALERTMANAGER_URL"),
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
