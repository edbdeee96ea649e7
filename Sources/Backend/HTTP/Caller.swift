/// Who is calling: a token (perhaps scoped to one host) or, where allowed, nobody.
struct Caller: Sendable {
    var tokenID: Int64?
    /// A host-scoped token may only report for this host, and may not read.
    var host: String?
    /// A logged-in user of the pages, calling the API from the browser.
    var userID: Int64?

    var isAnonymous: Bool { tokenID == nil && userID == nil }

    func mayReport(for reportHost: String) -> Bool { host == nil || host == reportHost }

    /// Refuses what a host-scoped token sends for another host.
    func requireReporting(for reportHost: String) throws {
        guard mayReport(for: reportHost) else {
            throw APIError(.forbidden, "this token may only report for host '\(host ?? "")'", field: "host")
        }
    }
}
