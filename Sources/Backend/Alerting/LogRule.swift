#if canImport(Glibc)
import Glibc
#endif
import Shared

/// A log rule of the rules file: journal entries it matches raise its check, `log:NAME` of kind
/// `journal`, on the entry's host. The check alerts when a matching entry arrives and clears
/// after `quiet` seconds without one, or at once on an entry matching `recovered`.
struct LogRule: Sendable, Equatable {
    var name: String
    var hosts: [Glob] = []
    /// The host has any of these tags.
    var tags: [String] = []
    var units: [Glob] = []
    var identifiers: [Glob] = []
    /// Entries with PRIORITY at most this (0 emerg … 7 debug); entries without one count as info.
    var maxPriority: Int?
    var match: LinePattern?
    var recovered: LinePattern?
    var quiet = LogRule.defaultQuiet

    static let defaultQuiet = 900
    /// Only the start of a message is searched, so a 1 MiB line costs what 4 KiB does.
    static let scanLimit = 4096
    static let checkPrefix = reservedLogRulePrefix

    var checkName: String { Self.checkPrefix + name }

    /// What an entry means to this rule: nothing, a problem, or the problem's end.
    enum Outcome { case none, problem, recovered }

    /// Unit, identifier and priority first: they are cheap and rule most entries out. The
    /// recovery pattern heeds only the units: "Started nginx" is info, from systemd, not from nginx.
    func outcome(unit: String?, identifier: String?, priority: Int?, message: String) -> Outcome {
        if !units.isEmpty, !(unit.map(units.matchesAny) ?? false) { return .none }
        let problem = (maxPriority.map { (priority ?? 6) <= $0 } ?? true)
            && (identifiers.isEmpty || (identifier.map(identifiers.matchesAny) ?? false))
        guard problem || recovered != nil else { return .none }
        var message = message
        return message.withUTF8 { bytes in
            let line = UnsafeBufferPointer(rebasing: bytes.prefix(Self.scanLimit))
            if let recovered, recovered.matches(line) { return .recovered }
            if problem, let match, match.matches(line) { return .problem }
            return .none
        }
    }
}

/// A substring, or a POSIX extended regular expression.
enum LinePattern: Sendable, Equatable {
    case contains(String)
    case regex(LineRegex)

    var text: String {
        switch self {
        case .contains(let text): return text
        case .regex(let regex): return regex.pattern
        }
    }

    func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .contains(let text):
            var text = text
            return text.withUTF8 { needle in
                guard let lineBase = line.baseAddress, let needleBase = needle.baseAddress else { return needle.isEmpty }
                // memchr for the first byte, memcmp for the rest: memmem is not in Swift's Glibc.
                var start = 0
                while line.count - start >= needle.count,
                      let found = memchr(lineBase + start, Int32(needle[0]), line.count - start - needle.count + 1) {
                    let offset = UnsafeRawPointer(found) - UnsafeRawPointer(lineBase)
                    if memcmp(found, needleBase, needle.count) == 0 { return true }
                    start = offset + 1
                }
                return false
            }
        case .regex(let regex):
            return regex.matches(line)
        }
    }

    static func == (a: LinePattern, b: LinePattern) -> Bool {
        switch (a, b) {
        case (.contains(let x), .contains(let y)): return x == y
        case (.regex(let x), .regex(let y)): return x.pattern == y.pattern
        default: return false
        }
    }
}
