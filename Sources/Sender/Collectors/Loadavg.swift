/// The three load averages of /proc/loadavg.
struct LoadAverages: Equatable, Sendable {
    var load1: Double
    var load5: Double
    var load15: Double
}

/// `/proc/loadavg` in, load averages out. Pure.
enum Loadavg {
    /// `7.42 3.34 1.42 8/136 22902`: the first three fields.
    static func parse(_ text: String) -> LoadAverages? {
        let fields = text.prefix(256).split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).map { Double($0) }
        guard fields.count == 3, let one = fields[0], let five = fields[1], let fifteen = fields[2],
            [one, five, fifteen].allSatisfy({ $0.isFinite && $0 >= 0 })
        else { return nil }
        return LoadAverages(load1: one, load5: five, load15: fifteen)
    }
}
