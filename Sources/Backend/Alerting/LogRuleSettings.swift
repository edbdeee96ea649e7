import Foundation
import Shared

/// Reads one `[logs."NAME"]` table of the rules file:
///
///     [logs."oom"]
///     contains = "Out of memory: Killed process"   # or regex = "EXT4-fs error .*"; one is required
///     hosts = ["db-*"]                             # globs; empty or missing: every host
///     units = ["nginx.service"]                    # globs over the entry's unit
///     identifiers = ["kernel"]                     # globs over SYSLOG_IDENTIFIER
///     priority = "err"                             # at most this: 0 to 7 or a syslog name
///     quiet = "15m"                                # clears after this long without a match
///     recovered_contains = "Started nginx"         # or recovered_regex: clears at once
enum LogRuleSettings {
    static let keys = ["contains", "regex", "hosts", "tags", "units", "identifiers", "priority", "quiet", "recovered_contains", "recovered_regex"]
    /// Bounds, so a rules file cannot make journal ingest costly: every entry meets every rule.
    static let maxRules = 50
    static let maxPatterns = 20
    static let maxPatternLength = 200
    static let maxQuiet = 7 * 86400

    static func set(_ rule: inout LogRule, _ name: String, _ value: TOMLValue, _ fail: (String) -> ConfigError) throws {
        func text() throws -> String {
            guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= maxPatternLength else {
                throw fail("must be a string of 1 to \(maxPatternLength) bytes")
            }
            return text
        }
        func regex() throws -> LinePattern {
            do { return .regex(try LineRegex(try text())) } catch let error as LineRegex.Invalid { throw fail(error.description) }
        }
        func globs() throws -> [Glob] {
            guard case .array(let items) = value else { throw fail("must be an array of strings, such as [\"db-*\"]") }
            guard items.count <= maxPatterns else { throw fail("has more than \(maxPatterns) entries") }
            return try items.map { item in
                guard case .string(let text) = item, !text.isEmpty, text.utf8.count <= maxPatternLength else {
                    throw fail("must hold strings of 1 to \(maxPatternLength) bytes")
                }
                return Glob(text)
            }
        }
        switch name {
        case "contains", "regex":
            if rule.match != nil { throw fail("is a second pattern: give contains or regex, not both") }
            rule.match = name == "regex" ? try regex() : .contains(try text())
        case "recovered_contains", "recovered_regex":
            if rule.recovered != nil { throw fail("is a second pattern: give recovered_contains or recovered_regex, not both") }
            rule.recovered = name == "recovered_regex" ? try regex() : .contains(try text())
        case "hosts": rule.hosts = try globs()
        case "tags": rule.tags = try TagsSetting.read(value, fail)
        case "units": rule.units = try globs()
        case "identifiers": rule.identifiers = try globs()
        case "priority":
            let names = JournalQuery.priorityNames
            switch value {
            case .integer(let n) where (0...7).contains(n): rule.maxPriority = n
            case .string(let text) where names.contains(text.lowercased()): rule.maxPriority = names.firstIndex(of: text.lowercased())
            default: throw fail("must be 0 to 7 or a name: \(names.joined(separator: ", "))")
            }
        case "quiet":
            guard case .string(let text) = value, let span = try? TimeSpan(parsing: text), span.seconds >= 60, span.seconds <= maxQuiet else {
                throw fail("must be a duration from \"1m\" to \"7d\", such as \"15m\"")
            }
            rule.quiet = span.seconds
        default:
            throw fail("is not a log rule setting; known: \(keys.joined(separator: ", "))")
        }
    }

    /// A rule's name becomes its check's name, so it follows the check names' rules.
    static func checkName(_ name: String, _ fail: (String) -> ConfigError) throws {
        guard !name.isEmpty, name.utf8.count <= 100, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:/@".contains($0) }) else {
            throw fail("is not a rule name: use 1 to 100 letters, digits and - _ . : / @")
        }
    }
}
