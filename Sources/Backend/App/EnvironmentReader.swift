import Foundation

/// Settings read from the environment: a blank value is unset, and a bad one is a one-line
/// `ConfigError` naming its variable.
struct EnvironmentReader {
    var env: [String: String]

    func value(_ key: String) -> String? {
        guard let raw = env[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }

    func httpURL(_ key: String) throws -> String? {
        guard let raw = value(key) else { return nil }
        guard let parsed = URL(string: raw), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            throw ConfigError(variable: key, message: "'\(raw)' is not an http(s) URL")
        }
        return raw
    }

    /// Settings that only make sense together: all set, or none (nil). The error names the first one missing.
    func together(_ keys: [String]) throws -> [String]? {
        let values = keys.map(value)
        if values.allSatisfy({ $0 == nil }) { return nil }
        if let missing = keys.indices.first(where: { values[$0] == nil }), let given = keys.indices.first(where: { values[$0] != nil }) {
            throw ConfigError(variable: keys[missing], message: "is empty, but \(keys[given]) is set; set \(keys.joined(separator: ", ")) together, or none of them")
        }
        return values.compactMap { $0 }
    }
}
