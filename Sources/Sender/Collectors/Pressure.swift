/// One line of a /proc/pressure file: the share of time some (or all) tasks stalled.
struct PressureLine: Equatable, Sendable {
    /// `some` or `full`.
    var scope: String
    var avg10: Double
    var avg60: Double
    var avg300: Double
}

/// `/proc/pressure/{cpu,memory,io}` in, stall percentages out (kernel 4.20+). Pure.
enum Pressure {
    static let resources = ["cpu", "memory", "io"]

    /// `some avg10=0.10 avg60=0.71 avg300=0.55 total=5763413`; malformed lines are skipped.
    static func parse(_ text: String) -> [PressureLine] {
        text.prefix(4096).split(separator: "\n").prefix(2).compactMap { line in
            let fields = line.split(separator: " ")
            guard let scope = fields.first, scope == "some" || scope == "full" else { return nil }
            var values: [Substring: Double] = [:]
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                if pair.count == 2, let number = Double(pair[1]), number.isFinite, number >= 0 { values[pair[0]] = number }
            }
            guard let avg10 = values["avg10"], let avg60 = values["avg60"], let avg300 = values["avg300"] else { return nil }
            return PressureLine(scope: String(scope), avg10: avg10, avg60: avg60, avg300: avg300)
        }
    }

    /// Detail key for one resource and scope: `pressureCpuSome60`.
    static func key(resource: String, scope: String) -> String {
        "pressure" + resource.prefix(1).uppercased() + resource.dropFirst() + scope.prefix(1).uppercased() + scope.dropFirst() + "60"
    }
}
