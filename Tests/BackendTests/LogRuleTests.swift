import Foundation
import Shared
import Testing
@testable import Backend

/// Log rules: the rules file's `[logs."NAME"]`, its bounds, and the matcher over a batch.
@Suite struct LogRuleTests {
    static let oom = LogRule(name: "oom", match: .contains("Out of memory: Killed process"))

    /// Entries `seconds` before `now`: a test that injects the time passes the same `now`, so a
    /// slow machine cannot move the lines against it.
    static func rows(_ list: [(seconds: Double, message: String)], host: String = "web-1", unit: String? = "nginx.service",
                     priority: Int? = 3, now: Date = Date()) -> JournalRows {
        JournalFixtures.rows(list.enumerated().map { index, entry in
            JournalFixtures.row(Int64(index + 1), host: host, at: now.addingTimeInterval(-entry.seconds).microseconds, unit: unit,
                                priority: priority, message: entry.message)
        })
    }

    @Test func theRulesFileReadsLogRulesInOrder() throws {
        let settings = try RulesFileTests.load("""
            [logs."oom"]
            contains = "Out of memory: Killed process"
            priority = "err"
            [logs."nginx-failed"]
            regex = "Failed with result '[a-z-]+'"
            units = ["nginx.service"]
            hosts = ["web-*"]
            quiet = "5m"
            recovered_contains = "Started nginx"
            """)
        #expect(settings.logRules.map(\.name) == ["oom", "nginx-failed"])
        #expect(settings.logRules[0].maxPriority == 3 && settings.logRules[0].quiet == 900)
        let nginx = settings.logRules[1]
        #expect(nginx.quiet == 300 && nginx.hosts == [Glob("web-*")] && nginx.recovered == .contains("Started nginx"))
        #expect(nginx.outcome(unit: "nginx.service", identifier: nil, priority: 3, message: "nginx.service: Failed with result 'exit-code'.") == .problem)
        #expect(nginx.outcome(unit: "nginx.service", identifier: nil, priority: 6, message: "Started nginx - web server.") == .recovered)
        #expect(nginx.outcome(unit: "cron.service", identifier: nil, priority: 3, message: "Failed with result 'exit-code'") == .none)
    }

    /// Each mistake and each bound is refused at start, naming the rule and the key.
    @Test(arguments: [
        ("[logs.\"a\"]\nunits = [\"x\"]", "has no pattern"),
        ("[logs.\"a\"]\ncontains = \"x\"\nregex = \"y\"", "give contains or regex, not both"),
        ("[logs.\"a\"]\nregex = \"(a)\\\\1\"", "back-reference"),
        ("[logs.\"a\"]\nregex = \"((a{20}){20}){20}\"", "counted repeats"),
        ("[logs.\"a\"]\nregex = \"a{1,1000}\"", "more than 20 times"),
        ("[logs.\"a\"]\nregex = \"a(\"", "is not a regular expression"),
        ("[logs.\"a\"]\ncontains = \"\(String(repeating: "x", count: 201))\"", "1 to 200 bytes"),
        ("[logs.\"a\"]\ncontains = \"x\"\nquiet = \"10s\"", "from \"1m\" to \"7d\""),
        ("[logs.\"a\"]\ncontains = \"x\"\npriority = \"loud\"", "must be 0 to 7"),
        ("[logs.\"a b\"]\ncontains = \"x\"", "is not a rule name"),
        ("[logs.\"a\"]\ncontains = \"x\"\ncolour = \"red\"", "is not a log rule setting"),
        ((0...50).map { "[logs.\"r\($0)\"]\ncontains = \"x\"" }.joined(separator: "\n"), "at most 50"),
    ])
    func aMistakeOrABoundIsRefused(_ text: String, _ expected: String) throws {
        let error = #expect(throws: ConfigError.self) { try RulesFileTests.load(text) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
    }

    @Test func theLatestMatchingEntryOfABatchWinsAndOldEntriesRaiseNothing() throws {
        let rule = LogRule(name: "nginx", match: .contains("Failed"), recovered: .contains("Started"), quiet: 600)
        let now = Date()
        // A failure, then its recovery: ok. Then a failure after a recovery: a problem.
        let healed = LogMatcher.reports(rules: [rule], rows: Self.rows([(30, "Failed"), (20, "Started"), (10, "noise")], now: now), now: now)
        #expect(healed.first?.observations.first?.status == ObservationStatus.ok)
        let broken = LogMatcher.reports(rules: [rule], rows: Self.rows([(30, "Started"), (20, "Failed"), (10, "Failed again")], now: now), now: now)
        let observation = try #require(broken.first?.observations.first)
        #expect(observation.name == "log:nginx" && observation.kind == "journal" && observation.status == ObservationStatus.match)
        #expect(observation.details?["line"]?.stringValue == "Failed again" && observation.details?["matches"]?.doubleValue == 2)
        #expect(observation.every == 600 && observation.grace == 0)
        // Older than the quiet period: a backlog, not news.
        #expect(LogMatcher.reports(rules: [rule], rows: Self.rows([(601, "Failed")], now: now), now: now).isEmpty)
    }

    @Test func hostUnitIdentifierAndPriorityNarrowARule() {
        var rule = LogRule(name: "io", hosts: [Glob("db-*")], units: [Glob("postgres*")], identifiers: [Glob("postgres")], maxPriority: 3,
                           match: .regex(try! LineRegex("I/O error|EXT4-fs error")))
        #expect(rule.outcome(unit: "postgresql.service", identifier: "postgres", priority: 3, message: "EXT4-fs error (device sda1)") == .problem)
        #expect(rule.outcome(unit: "postgresql.service", identifier: "postgres", priority: 4, message: "EXT4-fs error") == .none)
        #expect(rule.outcome(unit: nil, identifier: "postgres", priority: 3, message: "EXT4-fs error") == .none)
        #expect(rule.outcome(unit: "postgresql.service", identifier: "kernel", priority: 3, message: "EXT4-fs error") == .none)
        #expect(LogMatcher.reports(rules: [rule], rows: Self.rows([(1, "I/O error")], host: "web-1", unit: "postgresql.service"), now: Date()).isEmpty)
        rule.identifiers = []
        #expect(LogMatcher.reports(rules: [rule], rows: Self.rows([(1, "I/O error")], host: "db-1", unit: "postgresql.service"), now: Date()).count == 1)
    }

    /// Only the start of a line is searched: a match past it does not count, and a huge line costs no more.
    @Test func onlyTheStartOfALineIsSearched() {
        let rule = LogRule(name: "x", match: .contains("needle"))
        let padding = String(repeating: "a", count: LogRule.scanLimit - 6)
        #expect(rule.outcome(unit: nil, identifier: nil, priority: nil, message: padding + "needle") == .problem)
        #expect(rule.outcome(unit: nil, identifier: nil, priority: nil, message: padding + "aneedle") == .none)
        let regex = LogRule(name: "y", match: .regex(try! LineRegex("ne+dle$")))
        #expect(regex.outcome(unit: nil, identifier: nil, priority: nil, message: "a needle") == .problem)
        #expect(regex.outcome(unit: nil, identifier: nil, priority: nil, message: "a needle and more") == .none)
    }

    /// The recovery pattern ignores the priority and identifier bounds: "Started nginx" is info, from systemd.
    @Test func aRecoveryLineNeedsOnlyTheUnit() {
        let rule = LogRule(name: "nginx", units: [Glob("nginx.service")], identifiers: [Glob("nginx")], maxPriority: 3,
                           match: .contains("Failed"), recovered: .contains("Started nginx"))
        #expect(rule.outcome(unit: "nginx.service", identifier: "systemd", priority: 6, message: "Started nginx.") == .recovered)
        #expect(rule.outcome(unit: "nginx.service", identifier: "systemd", priority: 3, message: "Failed") == .none)
        #expect(rule.outcome(unit: "nginx.service", identifier: "nginx", priority: 3, message: "Failed") == .problem)
        #expect(rule.outcome(unit: "cron.service", identifier: "systemd", priority: 6, message: "Started nginx.") == .none)
    }
}
