/// A length of time written as `90s`, `5m`, `1h`, `1d` (or combined, `1h30m`).
/// Plain numbers are refused: the original sender meant minutes where others mean seconds.
public struct TimeSpan: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    public init(parsing text: String) throws(TimeSpanError) {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw .empty }
        var total = 0
        var digits = 0
        var sawDigit = false
        for character in trimmed {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (shifted, overflow1) = digits.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = shifted.addingReportingOverflow(digit)
                guard !overflow1, !overflow2 else { throw .tooLong(text) }
                digits = next
                sawDigit = true
                continue
            }
            guard sawDigit else { throw .malformed(text) }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: throw .malformed(text)
            }
            let (part, overflow1) = digits.multipliedReportingOverflow(by: unit)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            guard !overflow1, !overflow2, sum <= TimeSpan.maximum.seconds else { throw .tooLong(text) }
            total = sum
            digits = 0
            sawDigit = false
        }
        guard !sawDigit else { throw .missingUnit(text) }
        self.seconds = total
    }

    /// 10 years: anything longer is a typo, and keeps arithmetic on timestamps far from overflow.
    public static let maximum = TimeSpan(seconds: 10 * 366 * 86400)

    /// The shortest exact form: 90 → `90s`, 300 → `5m`, 5400 → `90m`, 86400 → `1d`.
    public var description: String {
        if seconds == 0 { return "0s" }
        for (unit, suffix) in [(86400, "d"), (3600, "h"), (60, "m")] where seconds % unit == 0 {
            return "\(seconds / unit)\(suffix)"
        }
        return "\(seconds)s"
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Int.self) {
            self.init(seconds: seconds)
        } else {
            let text = try container.decode(String.self)
            do { try self.init(parsing: text) } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public enum TimeSpanError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case malformed(String)
    case missingUnit(String)
    case tooLong(String)

    public var description: String {
        switch self {
        case .empty: return "a duration is empty; write it like 90s, 5m, 1h or 1d"
        case .malformed(let text): return "'\(text)' is not a duration; write it like 90s, 5m, 1h or 1d"
        case .missingUnit(let text): return "'\(text)' has no unit; write it like \(text)s, \(text)m, \(text)h or \(text)d"
        case .tooLong(let text): return "'\(text)' is longer than 10 years"
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
