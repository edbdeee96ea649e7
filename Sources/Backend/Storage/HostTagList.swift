/// A host's tags as both engines store them: joined by commas, which no tag may hold
/// (`HostTags`). NULL: no report has told yet; empty: told none.
enum HostTagList {
    static func join(_ tags: [String]) -> String { tags.joined(separator: ",") }

    static func split(_ stored: String?) -> [String] {
        guard let stored, !stored.isEmpty else { return [] }
        return stored.split(separator: ",").map(String.init)
    }
}
