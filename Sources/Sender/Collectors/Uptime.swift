/// `/proc/uptime` in, seconds since boot out. Pure.
enum Uptime {
    static func parse(_ text: String) -> Double? {
        guard let first = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first, let seconds = Double(first),
            seconds.isFinite, seconds >= 0
        else { return nil }
        return seconds
    }
}
