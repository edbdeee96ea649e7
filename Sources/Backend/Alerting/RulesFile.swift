import Foundation
import Shared

/// Rule overrides per host and per check, from `ALERT_RULES_FILE`:
///
///     [defaults]                      # every check
///     disk_alert_above = 90
///     [tags."db"]                     # every check of the hosts tagged db (in file order)
///     memory_alert_at = 92
///     [hosts."db-1"]                  # every check of one host
///     memory_alert_at = 95
///     [checks."*"."disk:/boot"]       # one check name on every host
///     disk_alert_above = 80
///     [checks."db-1"."disk:/var"]     # one check of one host: wins over all above
///     disk_min_free_gib = 20
struct RuleOverrides: Sendable, Equatable {
    /// In the file's order: of two tags a host has, the later table wins.
    var tags: [(tag: String, patch: RulePatch)] = []
    var hosts: [String: RulePatch] = [:]
    var checks: [String: [String: RulePatch]] = [:]

    static func == (a: RuleOverrides, b: RuleOverrides) -> Bool {
        a.tags.map(\.tag) == b.tags.map(\.tag) && a.tags.map(\.patch) == b.tags.map(\.patch) && a.hosts == b.hosts && a.checks == b.checks
    }

    func settings(base: RuleSettings, host: String, tags hostTags: [String], check: String) -> RuleSettings {
        guard !tags.isEmpty || !hosts.isEmpty || !checks.isEmpty else { return base }
        var settings = base
        for (tag, patch) in tags where hostTags.contains(tag) { patch.apply(to: &settings) }
        hosts[host]?.apply(to: &settings)
        checks["*"]?[check]?.apply(to: &settings)
        checks[host]?[check]?.apply(to: &settings)
        return settings
    }
}

enum RulesFile {
    /// Reads the file into the base settings and the overrides; errors name the file and the key.
    static func load(path: String, into settings: inout AlertSettings) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(variable: "ALERT_RULES_FILE", message: "\(path) cannot be read: \(error.localizedDescription)")
        }
        let entries: [(path: [String], value: TOMLValue)]
        do { entries = try TOML.parsePaths(text) } catch {
            throw ConfigError(variable: "ALERT_RULES_FILE", message: "\(path) \(error.description)")
        }
        var defaults = RulePatch()
        var overrides = RuleOverrides()
        var routes: [String: Route] = [:]
        var routeOrder: [String] = []
        var maintenance = MaintenanceWindowsFile()
        var logRules: [String: LogRule] = [:]
        var logOrder: [String] = []
        for (key, value) in entries {
            let where_ = key.dropLast().joined(separator: ".")
            guard let name = key.last else { continue }
            func fail(_ message: String) -> ConfigError {
                ConfigError(variable: "ALERT_RULES_FILE", message: "\(path): '\(key.joined(separator: "."))' \(message)")
            }
            switch key.count {
            case 2 where key[0] == "defaults":
                try set(&defaults, name, value, fail)
            case 3 where key[0] == "tags":
                if !overrides.tags.contains(where: { $0.tag == key[1] }) {
                    do { try HostTags.check([key[1]], field: "tags") } catch { throw fail("names no tag: \(error.message)") }
                    overrides.tags.append((key[1], RulePatch()))
                }
                guard let index = overrides.tags.firstIndex(where: { $0.tag == key[1] }) else { continue }
                try set(&overrides.tags[index].patch, name, value, fail)
            case 3 where key[0] == "hosts":
                try set(&overrides.hosts[key[1], default: RulePatch()], name, value, fail)
            case 4 where key[0] == "checks":
                try set(&overrides.checks[key[1], default: [:]][key[2], default: RulePatch()], name, value, fail)
            case 3 where key[0] == "routes":
                if routes[key[1]] == nil {
                    guard routes.count < RouteSettings.maxRoutes else { throw fail("is one route too many: at most \(RouteSettings.maxRoutes)") }
                    routeOrder.append(key[1])
                }
                try RouteSettings.set(&routes[key[1], default: Route(name: key[1], channels: [])], name, value, fail)
            case 3 where key[0] == "maintenance":
                try maintenance.add(name: key[1], key: name, value: value, fail: fail)
            case 3 where key[0] == "logs":
                if logRules[key[1]] == nil {
                    guard logRules.count < LogRuleSettings.maxRules else { throw fail("is one log rule too many: at most \(LogRuleSettings.maxRules)") }
                    try LogRuleSettings.checkName(key[1], fail)
                    logOrder.append(key[1])
                }
                try LogRuleSettings.set(&logRules[key[1], default: LogRule(name: key[1])], name, value, fail)
            default:
                throw fail("is not in [defaults], [tags.\"TAG\"], [hosts.\"HOST\"], [checks.\"HOST\".\"CHECK\"], [routes.\"NAME\"], [maintenance.\"NAME\"] or [logs.\"NAME\"] (found under '\(where_)')")
            }
        }
        for name in routeOrder where routes[name]?.channels.isEmpty ?? true {
            throw ConfigError(variable: "ALERT_RULES_FILE", message: "\(path): route '\(name)' names no channels; add channels = [\"...\"]")
        }
        for name in logOrder where logRules[name]?.match == nil {
            throw ConfigError(variable: "ALERT_RULES_FILE", message: "\(path): log rule '\(name)' has no pattern; add contains = \"...\" or regex = \"...\"")
        }
        defaults.apply(to: &settings.rules)
        settings.logRules = logOrder.compactMap { logRules[$0] }
        settings.overrides = overrides
        settings.routes = routeOrder.compactMap { routes[$0] }
        settings.maintenance = try maintenance.windows { window, key, message in
            ConfigError(variable: "ALERT_RULES_FILE", message: "\(path): 'maintenance.\(window).\(key)' \(message)")
        }
    }

    private static func set(_ patch: inout RulePatch, _ name: String, _ value: TOMLValue, _ fail: (String) -> ConfigError) throws {
        func number() throws -> Double {
            switch value {
            case .integer(let n): return Double(n)
            case .float(let n): return n
            default: throw fail("must be a number, not \(value.typeName)")
            }
        }
        func percent() throws -> Double {
            let n = try number()
            guard (0...100).contains(n) else { throw fail("must be a percent from 0 to 100") }
            return n
        }
        func finite() throws -> Double {
            let n = try number()
            guard n.isFinite else { throw fail("must be a finite number") }
            return n
        }
        func nonNegative() throws -> Double {
            let n = try finite()
            guard n >= 0 else { throw fail("must not be negative") }
            return n
        }
        func seconds() throws -> Int {
            switch value {
            // Bounded, so sums of durations in the rules cannot overflow.
            case .integer(let n) where n > 0 && n <= TimeSpan.maximum.seconds: return n
            case .string(let text):
                guard let span = try? TimeSpan(parsing: text), span.seconds > 0, span.seconds <= TimeSpan.maximum.seconds else {
                    throw fail("'\(text)' is not a duration such as 90s, 5m, 1h")
                }
                return span.seconds
            default: throw fail("must be a duration such as \"5m\" or a number of seconds")
            }
        }
        switch name {
        case "disk_alert_above": patch.diskAlertAbove = try percent()
        case "disk_clear_below": patch.diskClearBelow = try percent()
        case "disk_min_free_gib":
            let n = try number()
            guard n >= 0 else { throw fail("must not be negative") }
            patch.diskMinFreeGiB = n
        case "memory_alert_at": patch.memoryAlertAt = try percent()
        case "memory_clear_below": patch.memoryClearBelow = try percent()
        case "memory_sustain": patch.memorySustain = try seconds()
        case "heartbeat_default_every": patch.heartbeatDefaultEvery = try seconds()
        case "load_alert_at": patch.loadAlertAt = try nonNegative()
        case "load_clear_below": patch.loadClearBelow = try nonNegative()
        case "load_sustain": patch.loadSustain = try seconds()
        case "cpu_alert_at": patch.cpuAlertAt = try percent()
        case "cpu_clear_below": patch.cpuClearBelow = try percent()
        case "cpu_sustain": patch.cpuSustain = try seconds()
        case "net_alert_at": patch.netAlertAt = try nonNegative()
        case "net_clear_below": patch.netClearBelow = try nonNegative()
        case "net_sustain": patch.netSustain = try seconds()
        case "cert_alert_days": patch.certAlertDays = try nonNegative()
        case "smart_growth_window": patch.smartGrowthWindow = try seconds()
        case "gauge_above": patch.gaugeAbove = try finite()
        case "gauge_below": patch.gaugeBelow = try finite()
        case "gauge_for": patch.gaugeFor = try seconds()
        case "gauge_hysteresis": patch.gaugeHysteresis = try nonNegative()
        case "disk_fill_within": patch.diskFillWithin = try seconds()
        case "disk_fill_window": patch.diskFillWindow = try seconds()
        case "disk_fill_from": patch.diskFillFrom = try percent()
        default: throw fail("is not a rule setting; known: \(RulePatch.keys.joined(separator: ", "))")
        }
    }
}
