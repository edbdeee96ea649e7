/// Tags a host carries (`tags = ["db", "eu"]` in the sender's config), by which the dashboard
/// filters and rules and routes pick hosts. Short words, so they fit in a filter link and a rule.
public enum HostTags {
    public static let maxCount = 20
    public static let maxLength = 40

    /// Letters, digits, `-`, `_`, `.` and `:`; 1 to 40 of them. `field` names the list.
    public static func check(_ tags: [String], field: String) throws(ValidationError) {
        guard tags.count <= maxCount else {
            throw ValidationError(field: field, message: "\(tags.count) tags is more than the limit of \(maxCount)")
        }
        var seen = Set<String>()
        for (index, tag) in tags.enumerated() {
            let allowed = !tag.isEmpty && tag.utf8.count <= maxLength && tag.unicodeScalars.allSatisfy(isAllowed)
            guard allowed else {
                // Echoed only when printable, so an error stays one clean line.
                let printable = tag.unicodeScalars.allSatisfy { (0x20..<0x7f).contains($0.value) }
                let shown = printable ? "'\(tag.prefix(maxLength))'" : "a word of \(tag.utf8.count) bytes with characters other than printable ASCII"
                throw ValidationError(field: "\(field)[\(index)]", message: "\(shown) is not a tag: use 1 to \(maxLength) letters, digits, '-', '_', '.' or ':'")
            }
            guard seen.insert(tag).inserted else { throw ValidationError(field: "\(field)[\(index)]", message: "'\(tag)' appears twice") }
        }
    }

    /// Whether a host with `hostTags` is picked by a setting that names `wanted`: any one of
    /// them; none named picks every host.
    public static func picks(_ wanted: [String], _ hostTags: [String]) -> Bool {
        wanted.isEmpty || hostTags.contains(where: wanted.contains)
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", ":": return true
        default: return false
        }
    }
}
