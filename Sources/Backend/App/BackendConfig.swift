import Foundation
import Logging
import Shared

/// Every setting of the backend, read once from the environment at start-up.
struct BackendConfig: Sendable {
    var databaseURL: String?
    /// The journal's own database; unset: beside everything else.
    var journalDatabaseURL: String?
    var dataDirectory: String
    var sampleRetention: TimeSpan
    var journalRetention: TimeSpan
    /// Largest journal batch, compressed or not (413 beyond it).
    var maxJournalBytes: Int
    var maxJournalEntries: Int
    var allowAnonymousIngest: Bool
    var publicURL: String?
    var logLevel: Logger.Level
    /// Largest request body, compressed or not (413 beyond it).
    var maxReportBytes: Int
    var reportLimits: ReportLimits
    /// How often the maintenance service creates partitions ahead and drops expired ones.
    var maintenanceInterval: TimeSpan
    /// PostgreSQL connections per backend process.
    var databasePoolSize: Int
    var alerting = AlertConfig()
    /// A connection with no request in flight is closed after this (`HTTP_IDLE_TIMEOUT`).
    var httpIdleTimeout = TimeSpan(seconds: 30)
    /// Reverse proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`).
    var trustedProxies = TrustedProxies.none
    /// Most checks one host may have; a report that would pass it is refused whole.
    var checkLimit = CheckLimit.standard

    static let defaults = BackendConfig(
        databaseURL: nil, journalDatabaseURL: nil, dataDirectory: "./data", sampleRetention: TimeSpan(seconds: 30 * 86400),
        journalRetention: TimeSpan(seconds: 7 * 86400), maxJournalBytes: 8 << 20, maxJournalEntries: 10_000,
        allowAnonymousIngest: false, publicURL: nil, logLevel: .info, maxReportBytes: 1 << 20,
        reportLimits: .standard, maintenanceInterval: TimeSpan(seconds: 3600), databasePoolSize: 16)

    /// Reads the settings; a bad value throws a one-line error naming the variable.
    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> BackendConfig {
        var config = BackendConfig.defaults
        func value(_ key: String) -> String? {
            guard let raw = env[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func span(_ key: String) throws -> TimeSpan? {
            guard let raw = value(key) else { return nil }
            do { return try TimeSpan(parsing: raw) } catch {
                throw ConfigError(variable: key, message: "\(error)")
            }
        }
        func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let raw = value(key) else { return nil }
            guard let number = Int(raw), range.contains(number) else {
                throw ConfigError(variable: key, message: "'\(raw)' is not a whole number between \(range.lowerBound) and \(range.upperBound)")
            }
            return number
        }
        if let url = value("DATABASE_URL") {
            _ = try DatabaseURL(parsing: url, variable: "DATABASE_URL")
            config.databaseURL = url
        }
        if let url = value("JOURNAL_DATABASE_URL") {
            _ = try DatabaseURL(parsing: url, variable: "JOURNAL_DATABASE_URL")
            config.journalDatabaseURL = url
        }
        if let dir = value("DATA_DIR") { config.dataDirectory = dir }
        if let retention = try span("SAMPLE_RETENTION") {
            guard retention.seconds >= 86400 else {
                throw ConfigError(variable: "SAMPLE_RETENTION", message: "must be at least 1d, because samples are kept in daily partitions")
            }
            config.sampleRetention = retention
        }
        if let retention = try span("JOURNAL_RETENTION") {
            guard retention.seconds >= 86400 else {
                throw ConfigError(variable: "JOURNAL_RETENTION", message: "must be at least 1d, because entries are kept in daily partitions")
            }
            config.journalRetention = retention
        }
        if let flag = value("ALLOW_ANONYMOUS_INGEST") {
            switch flag.lowercased() {
            case "1", "true", "yes", "on": config.allowAnonymousIngest = true
            case "0", "false", "no", "off": config.allowAnonymousIngest = false
            default: throw ConfigError(variable: "ALLOW_ANONYMOUS_INGEST", message: "'\(flag)' is not 1 or 0")
            }
        }
        if let url = value("PUBLIC_URL") {
            guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
                throw ConfigError(variable: "PUBLIC_URL", message: "'\(url)' is not an http(s) URL such as https://metrics.example.com")
            }
            config.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let level = value("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigError(variable: "LOG_LEVEL", message: "'\(level)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            config.logLevel = parsed
        }
        if let bytes = try integer("REPORT_MAX_BYTES", in: 1024...(64 << 20)) { config.maxReportBytes = bytes }
        if let count = try integer("REPORT_MAX_OBSERVATIONS", in: 1...100_000) { config.reportLimits.maxObservations = count }
        if let length = try integer("NAME_MAX_LENGTH", in: 16...4096) { config.reportLimits.maxNameLength = length }
        if let bytes = try integer("JOURNAL_MAX_BYTES", in: 1024...(256 << 20)) { config.maxJournalBytes = bytes }
        if let count = try integer("JOURNAL_MAX_ENTRIES", in: 1...1_000_000) { config.maxJournalEntries = count }
        if let interval = try span("MAINTENANCE_INTERVAL") { config.maintenanceInterval = interval }
        if let size = try integer("DATABASE_POOL_SIZE", in: 1...500) { config.databasePoolSize = size }
        if let idle = try span("HTTP_IDLE_TIMEOUT") {
            guard (1...3600).contains(idle.seconds) else { throw ConfigError(variable: "HTTP_IDLE_TIMEOUT", message: "must be between 1s and 1h") }
            config.httpIdleTimeout = idle
        }
        if let proxies = value("TRUSTED_PROXIES") {
            do { config.trustedProxies = try TrustedProxies(parsing: proxies) } catch {
                throw ConfigError(variable: "TRUSTED_PROXIES", message: error.message)
            }
        }
        if let count = try integer("MAX_CHECKS_PER_HOST", in: 1...1_000_000) { config.checkLimit = CheckLimit(maxPerHost: count) }
        config.alerting = try AlertConfig.fromEnvironment(env, publicURL: config.publicURL)
        return config
    }
}

extension BackendConfig {
    var journalLimits: JournalLimits {
        JournalLimits(maxEntries: maxJournalEntries, retention: journalRetention)
    }
}
