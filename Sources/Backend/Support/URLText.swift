import Foundation

/// Links within the site, and text made safe for them.
enum URLText {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes everything but unreserved characters: safe in a query value and a path segment.
    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// `a=1&b=2` from pairs, skipping empty values.
    static func queryString(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { key, value in value.flatMap { $0.isEmpty ? nil : "\(key)=\(query($0))" } }.joined(separator: "&")
    }

    /// A path on this site: starts with one slash, so `//evil.example` and `https:` are refused.
    /// A path of this site to go back to, or nil. Browsers drop tabs and newlines and read `\`
    /// as `/`, so `/\t/evil.example` would leave the site: any control character or backslash is
    /// refused, and what is left must parse as a URL with neither scheme nor host.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), text.utf8.count <= 2000,
              !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" || $0.properties.generalCategory == .control }),
              let url = URLComponents(string: text), url.scheme == nil, url.host == nil, url.path.hasPrefix("/"), !url.path.hasPrefix("//")
        else { return nil }
        return text
    }

    static func hostPage(_ host: String) -> String { "/hosts/" + query(host) }

    /// A host's tags, each with the dashboard filtered by it: what the pages show of them.
    static func tagLinks(_ tags: [String]) -> [[String: String]] {
        tags.map { ["tag": $0, "url": "/dashboard?" + queryString([("tag", $0)])] }
    }

    /// One host's journal from 5 minutes before a moment to 5 minutes after: where a flip's or a
    /// log rule's line is.
    static func journal(host: String, around at: Date) -> String {
        let seconds = Int(at.timeIntervalSince1970)
        return "/journal?" + queryString([("host", host), ("from", String(seconds - 300)), ("to", String(seconds + 300))])
    }
}
