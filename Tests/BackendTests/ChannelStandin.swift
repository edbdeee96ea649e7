import Foundation
import TestSupport
@testable import Backend

/// `Tests/Support/channel_standin.py`: ntfy, Slack, Discord, Matrix and Gotify on loopback,
/// checking each request against the service's API and recording it.
final class ChannelStandin: @unchecked Sendable {
    static let secrets = ["ntfy": "tk_ntfysecret0001", "matrix": "syt_matrixsecret0001", "gotify": "AgotifySecret01"]
    let directory: URL
    let daemon: Daemon
    let url: String

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("channels-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: Self.secrets).write(to: directory.appendingPathComponent("secrets.json"))
        daemon = try Daemon(["/usr/bin/python3", SenderBackendRig.support.appendingPathComponent("channel_standin.py").path, directory.path])
        let directory = self.directory
        let port = try await SenderBackendRig.waitFor { try? String(contentsOfFile: directory.appendingPathComponent("port").path, encoding: .utf8) }
        url = "http://127.0.0.1:\(port)"
    }

    /// How valid requests are answered from now on: ok, 429, 500, final.
    func mode(_ mode: String) throws {
        try mode.write(to: directory.appendingPathComponent("mode"), atomically: true, encoding: .utf8)
    }

    struct Request {
        var service: String
        var method: String
        var path: String
        var status: Int
        var headers: [String: String]
        var body: [String: Any]
    }

    func requests() -> [Request] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("requests.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(service: object["service"] as? String ?? "", method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
                           status: object["status"] as? Int ?? 0, headers: object["headers"] as? [String: String] ?? [:],
                           body: object["body"] as? [String: Any] ?? [:])
        }
    }

    /// The settings that point every channel here.
    var environment: [String: String] {
        ["NTFY_URL": url + "/ntfy", "NTFY_TOPIC": "ops-alerts", "NTFY_TOKEN": Self.secrets["ntfy"]!,
         "SLACK_WEBHOOK_URL": url + "/slack/services/T0001/B0002/slacksecret0001",
         "DISCORD_WEBHOOK_URL": url + "/discord/api/webhooks/1234/discordsecret0001",
         "MATRIX_HOMESERVER": url, "MATRIX_ACCESS_TOKEN": Self.secrets["matrix"]!, "MATRIX_ROOM_ID": "!room1:example.org",
         "GOTIFY_URL": url + "/gotify", "GOTIFY_TOKEN": Self.secrets["gotify"]!]
    }

    /// Every secret in `environment`, which no error string may hold.
    var secretParts: [String] { Array(Self.secrets.values) + ["slacksecret0001", "discordsecret0001"] }

    func stop() {
        daemon.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
