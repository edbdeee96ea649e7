import Shared

/// `tags = ["db", "eu"]` in a table of the rules file (routes, maintenance windows, log rules):
/// host tags as `HostTags` allows them.
enum TagsSetting {
    static func read(_ value: TOMLValue, _ fail: (String) -> ConfigError) throws -> [String] {
        guard case .array(let items) = value else { throw fail("must be an array of tags, such as [\"db\"]") }
        let tags = try items.map { item in
            guard case .string(let text) = item else { throw fail("must hold strings, such as \"db\"") }
            return text
        }
        do { try HostTags.check(tags, field: "tags") } catch { throw fail(error.description) }
        return tags
    }
}
