import Foundation
import Shared

/// Reads one `[routes."NAME"]` table of the rules file:
///
///     [routes."oncall"]
///     channels = ["telegram:-100*", "email"]   # globs over channel names; required
///     hosts = ["db-*"]                          # globs; empty or missing: every host
///     tags = ["db", "eu"]                       # hosts with any of these tags
///     checks = ["disk:*", "host"]               # globs over check names
///     kinds = ["disk", "host"]                  # check kinds
///     states = ["alert"]                        # alert, no-data
///     after = "10m"                             # escalation: only problems that last 10 min
enum RouteSettings {
    static let keys = ["channels", "hosts", "tags", "checks", "kinds", "states", "after"]
    /// Bounds, so a rules file cannot make routing costly.
    static let maxRoutes = 100
    static let maxPatterns = 100
    static let maxPatternLength = 200

    static func set(_ route: inout Route, _ name: String, _ value: TOMLValue, _ fail: (String) -> ConfigError) throws {
        func strings() throws -> [String] {
            guard case .array(let items) = value else { throw fail("must be an array of strings, such as [\"db-*\"]") }
            guard items.count <= maxPatterns else { throw fail("has more than \(maxPatterns) entries") }
            return try items.map { item in
                guard case .string(let text) = item, !text.isEmpty, text.count <= maxPatternLength else {
                    throw fail("must hold strings of 1 to \(maxPatternLength) characters")
                }
                return text
            }
        }
        switch name {
        case "channels":
            route.channels = try strings().map(Glob.init)
            if route.channels.isEmpty { throw fail("must name at least one channel") }
        case "hosts": route.hosts = try strings().map(Glob.init)
        case "tags": route.tags = try TagsSetting.read(value, fail)
        case "checks": route.checks = try strings().map(Glob.init)
        case "kinds":
            route.kinds = try strings().map { text in
                guard let kind = CheckKind(rawValue: text) else {
                    throw fail("'\(text)' is not a check kind; known: \(CheckKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
        case "states":
            route.states = try strings().map { text in
                guard let state = CheckState(rawValue: text), state != .ok else { throw fail("'\(text)' is not a problem state; known: alert, no-data") }
                return state
            }
        case "after":
            guard case .string(let text) = value, let span = try? TimeSpan(parsing: text), Double(span.seconds) <= Route.maxAfter else {
                throw fail("must be a duration such as \"10m\", at most 7d")
            }
            route.after = Double(span.seconds)
        default:
            throw fail("is not a route setting; known: \(keys.joined(separator: ", "))")
        }
    }
}
