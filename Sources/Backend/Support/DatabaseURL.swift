import Foundation

/// A `postgres://user:password@host:port/database?sslmode=...` URL, as libpq spells it.
/// `?host=/run/postgresql` selects a Unix socket directory.
struct DatabaseURL: Sendable, Equatable {
    enum TLSMode: String, Sendable { case disable, prefer, require }

    var host: String
    var port: Int
    var socketDirectory: String?
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode

    init(parsing text: String, variable: String) throws {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
        else {
            throw ConfigError(variable: variable, message: "is not a postgres://user:password@host:5432/database URL")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        guard let user = components.user, !user.isEmpty else {
            throw ConfigError(variable: variable, message: "names no user; write postgres://USER:PASSWORD@HOST/DATABASE")
        }
        username = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty else {
            throw ConfigError(variable: variable, message: "names no database; write postgres://USER:PASSWORD@HOST/DATABASE")
        }
        database = path.removingPercentEncoding ?? path
        let mode = query["sslmode"] ?? "prefer"
        switch mode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        default: throw ConfigError(variable: variable, message: "sslmode '\(mode)' is not disable, prefer or require")
        }
    }
}
