import Foundation

/// Hosts, their checks, samples and flips, as the API and the pages read them.
protocol CheckRepository: Sendable {
    func hosts() async throws -> [HostRecord]
    /// The tags of these hosts, by name; a host not stored yet is absent.
    func tags(hosts: [String]) async throws -> [String: [String]]
    func checks(host: String?, state: CheckState?) async throws -> [CheckRecord]
    /// Samples of one check, oldest first; nil when the check does not exist.
    func samples(host: String, name: String, from: Date, to: Date, limit: Int) async throws -> [SampleRecord]?
    /// Samples of several checks of one host, read in one pass (a host page's charts), by name.
    func samples(host: String, names: [String], from: Date, to: Date) async throws -> [String: [SampleRecord]]
    /// Deletes a check with its samples and flips; false when there was none.
    func deleteCheck(host: String, name: String) async throws -> Bool
    /// Newest first.
    func flips(host: String?, check: String?, limit: Int) async throws -> [Flip]
}
