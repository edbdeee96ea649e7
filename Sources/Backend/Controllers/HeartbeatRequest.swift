/// `{"host": "web-1", "name": "backup-db", "every": "1d", "grace": "1h"}`, or a cron schedule
/// instead of `every`: `"cron": "0 3 * * *", "timezone": "Europe/Berlin"`.
struct HeartbeatRequest: Decodable, Sendable {
    var host: String
    var name: String
    var every: String?
    var grace: String?
    var cron: String?
    var timezone: String?

    private enum Keys: String, CodingKey { case host, name, every, grace, cron, timezone }

    init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: Keys.self)
        guard case .value(let host) = object.field(String.self, .host) else {
            throw APIError(.badRequest, "must name the host, as a string", field: "host")
        }
        guard case .value(let name) = object.field(String.self, .name) else {
            throw APIError(.badRequest, "must name the heartbeat, as a string", field: "name")
        }
        func text(_ key: Keys, _ example: String) throws -> String? {
            switch object.field(String.self, key) {
            case .absent, .null: return nil
            case .value(let text): return text
            case .other: throw APIError(.badRequest, "must be a string such as \"\(example)\"", field: key.stringValue)
            }
        }
        (self.host, self.name) = (host, name)
        every = try text(.every, "1h")
        grace = try text(.grace, "1h")
        cron = try text(.cron, "0 3 * * *")
        timezone = try text(.timezone, "Europe/Berlin")
    }
}
