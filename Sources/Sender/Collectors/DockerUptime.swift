/// How long a container has been up, from the list's `Status` (`Up 3 minutes (healthy)`), in
/// seconds, as coarse as Docker writes it (its HumanDuration). Pure; nil when it says otherwise.
enum DockerUptime {
    static func seconds(_ status: String) -> Double? {
        guard status.hasPrefix("Up ") else { return nil }
        var words = status.dropFirst(3).split(separator: " ").prefix(3).map { $0.lowercased() }
        if words.first == "less" { return 0 }  // "Less than a second"
        if words.first == "about" { words[0] = "1" }  // "About a minute", "About an hour"
        if words.count >= 2, words[0] == "1", words[1] == "a" || words[1] == "an" { words.remove(at: 1) }
        guard words.count >= 2, let count = Double(words[0]) else { return nil }
        let unit = words[1].hasSuffix("s") ? String(words[1].dropLast()) : words[1]
        let seconds: [String: Double] = ["second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604_800, "month": 2_592_000, "year": 31_536_000]
        return seconds[unit].map { $0 * count }
    }
}
