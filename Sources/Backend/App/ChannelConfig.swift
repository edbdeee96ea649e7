import Foundation

/// The channels beyond Telegram and the webhook, each set up by its own variables, each off
/// until its main variable is set. Names are fixed: routes match them.
struct ChannelConfig: Sendable {
    var email: EmailNotifier?
    var ntfy: NtfyNotifier?
    var slack: SlackNotifier?
    var discord: DiscordNotifier?
    var matrix: MatrixNotifier?
    var gotify: GotifyNotifier?
    var alertmanager: AlertmanagerNotifier?

    var notifiers: [String: any Notifier] {
        let all: [(String, (any Notifier)?)] = [
            ("email", email), ("ntfy", ntfy), ("slack", slack), ("discord", discord),
            ("matrix", matrix), ("gotify", gotify), ("alertmanager", alertmanager),
        ]
        return Dictionary(uniqueKeysWithValues: all.compactMap { name, notifier in notifier.map { (name, $0) } })
    }

    static func fromEnvironment(_ env: [String: String]) throws -> ChannelConfig {
        let reader = EnvironmentReader(env: env)
        var config = ChannelConfig()
        config.email = try email(reader)
        if let topic = reader.value("NTFY_TOPIC") {
            // ntfy's own rule for topic names.
            guard topic.count <= 64, topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw ConfigError(variable: "NTFY_TOPIC", message: "'\(topic)' is not a topic name: up to 64 letters, digits, - and _")
            }
            config.ntfy = NtfyNotifier(serverURL: try reader.httpURL("NTFY_URL") ?? "https://ntfy.sh", topic: topic, token: reader.value("NTFY_TOKEN"))
        } else if let other = ["NTFY_URL", "NTFY_TOKEN"].first(where: { reader.value($0) != nil }) {
            throw ConfigError(variable: "NTFY_TOPIC", message: "is empty, but \(other) is set; name the topic to publish to")
        }
        config.slack = try reader.httpURL("SLACK_WEBHOOK_URL").map { SlackNotifier(url: $0) }
        config.discord = try reader.httpURL("DISCORD_WEBHOOK_URL").map { DiscordNotifier(url: $0) }
        if let matrix = try reader.together(["MATRIX_HOMESERVER", "MATRIX_ACCESS_TOKEN", "MATRIX_ROOM_ID"]) {
            let homeserver = try reader.httpURL("MATRIX_HOMESERVER") ?? matrix[0]
            // The send API takes a room's id, not an alias such as #ops:example.org.
            guard matrix[2].hasPrefix("!"), matrix[2].contains(":") else {
                throw ConfigError(variable: "MATRIX_ROOM_ID", message: "'\(matrix[2])' is not a room id such as !abc123:example.org (see the room's settings, Advanced)")
            }
            config.matrix = MatrixNotifier(homeserver: homeserver, accessToken: matrix[1], roomID: matrix[2])
        }
        if let gotify = try reader.together(["GOTIFY_URL", "GOTIFY_TOKEN"]) {
            config.gotify = GotifyNotifier(serverURL: try reader.httpURL("GOTIFY_URL") ?? gotify[0], token: gotify[1])
        }
        config.alertmanager = try reader.httpURL("ALERTMANAGER_URL").map { AlertmanagerNotifier(url: $0) }
        return config
    }

    private static func email(_ reader: EnvironmentReader) throws -> EmailNotifier? {
        let keys = ["SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_TO", "SMTP_CA_FILE"]
        guard let raw = reader.value("SMTP_URL") else {
            if let other = keys.first(where: { reader.value($0) != nil }) {
                throw ConfigError(variable: "SMTP_URL", message: "is empty, but \(other) is set; give the server as smtp://host:587 or smtps://host:465")
            }
            return nil
        }
        guard let url = URL(string: raw), let scheme = url.scheme, ["smtp", "smtps"].contains(scheme), let host = url.host, !host.isEmpty else {
            throw ConfigError(variable: "SMTP_URL", message: "'\(raw)' is not an SMTP URL such as smtp://mail.example.com:587 or smtps://mail.example.com:465")
        }
        // Credentials in the URL would end up in error messages; they have variables of their own.
        guard url.user == nil && url.password == nil else {
            throw ConfigError(variable: "SMTP_URL", message: "holds a user or password; set SMTP_USERNAME and SMTP_PASSWORD instead")
        }
        guard let fromText = reader.value("SMTP_FROM") else {
            throw ConfigError(variable: "SMTP_FROM", message: "is empty, but SMTP_URL is set; give the sender, such as Metrics <metrics@example.com>")
        }
        guard let from = EmailAddress(parsing: fromText) else {
            throw ConfigError(variable: "SMTP_FROM", message: "'\(fromText)' is not an address such as metrics@example.com or Metrics <metrics@example.com>")
        }
        guard let toText = reader.value("SMTP_TO") else {
            throw ConfigError(variable: "SMTP_TO", message: "is empty, but SMTP_URL is set; give the recipients, separated by commas")
        }
        var to: [EmailAddress] = []
        for part in toText.split(separator: ",") {
            guard let address = EmailAddress(parsing: String(part)) else {
                throw ConfigError(variable: "SMTP_TO", message: "'\(part.trimmingCharacters(in: .whitespaces))' is not an address such as ops@example.com")
            }
            to.append(address)
        }
        guard !to.isEmpty else { throw ConfigError(variable: "SMTP_TO", message: "names no address") }
        let credentials = try reader.together(["SMTP_USERNAME", "SMTP_PASSWORD"])
        let caFile = reader.value("SMTP_CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigError(variable: "SMTP_CA_FILE", message: "'\(caFile)' is not a readable file of PEM certificates")
        }
        return EmailNotifier(transfer: SMTPTransfer(url: raw, username: credentials?[0], password: credentials?[1], from: from, to: to, caFile: caFile))
    }
}
