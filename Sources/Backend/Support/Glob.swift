/// A shell-style pattern for host, check and channel names: `*` matches any run of characters,
/// `?` one character, anything else itself. Matching is linear in practice and never worse
/// than pattern × name, so a rule cannot stall the evaluator.
struct Glob: Sendable, Equatable, CustomStringConvertible {
    let pattern: String
    private let chars: [Character]

    init(_ pattern: String) {
        self.pattern = pattern
        chars = Array(pattern)
    }

    var description: String { pattern }

    func matches(_ name: String) -> Bool {
        let text = Array(name)
        var p = 0, t = 0
        var star: Int?, resume = 0
        while t < text.count {
            if p < chars.count, chars[p] == "?" || chars[p] == text[t] {
                p += 1
                t += 1
            } else if p < chars.count, chars[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let s = star {
                p = s + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < chars.count, chars[p] == "*" { p += 1 }
        return p == chars.count
    }
}

extension Array where Element == Glob {
    /// An empty list matches everything: a route or window that names no hosts covers all.
    func matchesAny(_ name: String) -> Bool { isEmpty || contains { $0.matches(name) } }
}
