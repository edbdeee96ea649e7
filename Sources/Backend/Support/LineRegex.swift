#if canImport(Glibc)
import Glibc
#endif

/// A POSIX extended regular expression over log lines. glibc matches without backtracking when
/// a pattern has no back-references, so those are refused, and counted repeats (which compile
/// to copies) are bounded: one line costs at most about the compiled pattern × the line.
final class LineRegex: @unchecked Sendable {
    // regexec on a compiled pattern is thread-safe in glibc; the pattern is never changed. Held
    // by pointer: tasks on several threads pass it to C at once.
    private let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
    private var isCompiled = false
    let pattern: String
    static let maxCountedRepeats = 2
    static let maxRepeatCount = 20

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(_ pattern: String) throws(Invalid) {
        self.pattern = pattern
        var escaped = false
        for char in pattern.utf8 {
            if escaped, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(char) {
                throw Invalid(description: "uses a back-reference (\\\(Character(Unicode.Scalar(char)))), which could make matching slow")
            }
            escaped = !escaped && char == UInt8(ascii: "\\")
        }
        guard !pattern.utf8.contains(0) else { throw Invalid(description: "must not contain NUL") }
        // Counted repeats are expanded when compiling: (a{100}){100} would be 10,000 copies.
        let counts = pattern.split(separator: "{", omittingEmptySubsequences: false).dropFirst()
        guard counts.count <= Self.maxCountedRepeats else {
            throw Invalid(description: "has more than \(Self.maxCountedRepeats) counted repeats ({m,n})")
        }
        for count in counts {
            let numbers = count.prefix { $0 != "}" }.split(separator: ",").compactMap { Int($0) }
            guard numbers.allSatisfy({ $0 <= Self.maxRepeatCount }) else {
                throw Invalid(description: "repeats more than \(Self.maxRepeatCount) times in a {m,n}")
            }
        }
        let status = regcomp(compiled, pattern, REG_EXTENDED | REG_NOSUB)
        guard status == 0 else {
            var buffer = [CChar](repeating: 0, count: 256)
            regerror(status, compiled, &buffer, buffer.count)
            throw Invalid(description: "is not a regular expression: " + String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        isCompiled = true
    }

    deinit {
        if isCompiled { regfree(compiled) }
        compiled.deallocate()
    }

    /// Whether the pattern occurs in the bytes (a line, cut to a bound by the caller).
    func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return regexec(compiled, "", 0, nil, 0) == 0 }
        // REG_STARTEND: the line needs no NUL terminator and may hold NULs.
        var range = regmatch_t(rm_so: 0, rm_eo: regoff_t(bytes.count))
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { pointer in
            regexec(compiled, pointer, 1, &range, REG_STARTEND) == 0
        }
    }
}
