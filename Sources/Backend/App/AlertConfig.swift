import Foundation
import Shared

/// Where messages go and how alerting behaves, read from the environment.
struct AlertConfig: Sendable {
    var telegramBotToken: String?
    var telegramChatIDs: [String] = []
    var telegramAPIURL = "https://api.telegram.org"
    var webhookURL: String?
    /// Pinged every minute, so an outside service notices a dead backend.
    var selfHeartbeatURL: String?
    /// Email, ntfy, Slack, Discord, Matrix, Gotify, Alertmanager.
    var channels = ChannelConfig()
    var settings = AlertSettings()
    /// Flips within this many seconds of a channel's last message fold into its next.
    var groupInterval: Double = 1
    /// Seconds without a beat before followers call the evaluation leader hung (it beats every 5 s).
    var leaderStaleAfter = 15
    /// Seconds a leader may stay hung before a follower ends its database session; nil: never.
    var leaderTakeoverAfter: Int? = 120

    /// Outbox channel names with their notifiers: `telegram:<chat>` per chat, `webhook`, and
    /// `email`, `ntfy`, `slack`, `discord`, `matrix`, `gotify`, `alertmanager`.
    var notifiers: [String: any Notifier] {
        var notifiers: [String: any Notifier] = [:]
        if let token = telegramBotToken {
            for chat in telegramChatIDs {
                notifiers["telegram:\(chat)"] = TelegramNotifier(apiURL: telegramAPIURL, botToken: token, chatID: chat)
            }
        }
        if let url = webhookURL { notifiers["webhook"] = WebhookNotifier(url: url) }
        notifiers.merge(channels.notifiers) { first, _ in first }
        return notifiers
    }

    static func fromEnvironment(_ env: [String: String], publicURL: String?) throws -> AlertConfig {
        var config = AlertConfig()
        func value(_ key: String) -> String? {
            guard let raw = env[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func url(_ key: String) throws -> String? { try EnvironmentReader(env: env).httpURL(key) }
        func seconds(_ key: String, minimum: Int) throws -> Int? {
            guard let raw = value(key) else { return nil }
            guard let span = try? TimeSpan(parsing: raw), span.seconds >= minimum else {
                throw ConfigError(variable: key, message: "'\(raw)' is not a duration of at least \(minimum) s, such as 90s, 5m, 1h")
            }
            return span.seconds
        }
        config.telegramBotToken = value("TELEGRAM_BOT_TOKEN")
        config.telegramChatIDs = (value("TELEGRAM_CHAT_ID") ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        if config.telegramBotToken != nil && config.telegramChatIDs.isEmpty {
            throw ConfigError(variable: "TELEGRAM_CHAT_ID", message: "is empty, but TELEGRAM_BOT_TOKEN is set; name the chat ids to send to, separated by commas")
        }
        if config.telegramBotToken == nil && !config.telegramChatIDs.isEmpty {
            throw ConfigError(variable: "TELEGRAM_BOT_TOKEN", message: "is empty, but TELEGRAM_CHAT_ID is set; give the bot's token from @BotFather")
        }
        if let api = try url("TELEGRAM_API_URL") { config.telegramAPIURL = api }
        config.webhookURL = try url("WEBHOOK_URL")
        config.selfHeartbeatURL = try url("SELF_HEARTBEAT_URL")
        config.channels = try ChannelConfig.fromEnvironment(env)
        config.settings.remindEvery = try seconds("REMIND_EVERY", minimum: 60)
        // How often senders report (their timer) and the slack before a check has no data.
        if let every = try seconds("REPORT_INTERVAL", minimum: 1) { config.settings.rules.reportEvery = every }
        if let grace = try seconds("REPORT_GRACE", minimum: 0) { config.settings.rules.reportGrace = grace }
        if let window = try seconds("FLAP_WINDOW", minimum: 60) { config.settings.flapWindow = window }
        if let raw = value("FLAP_FLIPS") {
            guard let flips = Int(raw), (2...1000).contains(flips) else {
                throw ConfigError(variable: "FLAP_FLIPS", message: "'\(raw)' is not a whole number between 2 and 1000")
            }
            config.settings.flapFlips = flips
        }
        if let interval = try seconds("GROUP_INTERVAL", minimum: 0) {
            guard interval <= 3600 else { throw ConfigError(variable: "GROUP_INTERVAL", message: "'\(interval)s' is longer than an hour; alerts would wait that long") }
            config.groupInterval = Double(interval)
        }
        if let stale = try seconds("LEADER_STALE_AFTER", minimum: 10) { config.leaderStaleAfter = stale }
        if value("LEADER_TAKEOVER_AFTER")?.lowercased() == "off" {
            config.leaderTakeoverAfter = nil
        } else if let takeOver = try seconds("LEADER_TAKEOVER_AFTER", minimum: 30) {
            config.leaderTakeoverAfter = takeOver
        }
        config.settings.publicURL = publicURL
        if let path = value("ALERT_RULES_FILE") {
            try RulesFile.load(path: path, into: &config.settings)
            let router = RouteTable(channels: config.notifiers.keys.sorted(), routes: config.settings.routes)
            if let (route, pattern) = router.unmatchedChannelPatterns().first {
                throw ConfigError(variable: "ALERT_RULES_FILE", message: "\(path): route '\(route)' sends to '\(pattern)', which names no configured channel; configured: \(router.channels.joined(separator: ", "))")
            }
        }
        return config
    }
}
