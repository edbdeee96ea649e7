#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// What the TLS endpoints presented when last read, and when each was last tried, as JSON in
/// `STATE_DIR/tls-endpoints.json`: certificates change rarely, so a run reads an endpoint again
/// only once its answer is `every` old; of those due, the one tried longest ago goes first, so one
/// that keeps failing cannot starve the others.
/// Times are wall-clock seconds since 1970, so a reboot keeps them.
struct EndpointCache: StateText, Equatable {
    static let fileName = "tls-endpoints.json"

    struct Entry: Codable, Equatable {
        /// When a handshake was last tried, whatever came of it.
        var attemptedAt: Double?
        /// When a certificate was last read, and what it said.
        var probedAt: Double?
        var notAfter: Double?
        var commonName: String?
        var certificates: Int?

        var summary: CertificateSummary? {
            guard let notAfter, let certificates else { return nil }
            return CertificateSummary(notAfter: Date(timeIntervalSince1970: notAfter), commonName: commonName, certificates: certificates)
        }

        mutating func read(_ summary: CertificateSummary, at now: Double) {
            probedAt = now
            notAfter = summary.notAfter.timeIntervalSince1970
            commonName = summary.commonName
            certificates = summary.certificates
        }
    }

    var entries: [String: Entry] = [:]

    /// The endpoints to read this run, in the order to read them: those never tried first, then
    /// the longest untried, each in the order given when equal. A certificate read less than
    /// `every` ago is not read again (a clock set back counts as old).
    func due(_ endpoints: [String], now: Double, every: Double) -> [String] {
        let stale = endpoints.enumerated().filter { _, endpoint in
            // An entry without a certificate (damaged) is read again.
            guard let entry = entries[endpoint], let probedAt = entry.probedAt, entry.summary != nil else { return true }
            return !(0..<every).contains(now - probedAt)
        }
        return stale.sorted { a, b in
            let (first, second) = (entries[a.element]?.attemptedAt ?? -.infinity, entries[b.element]?.attemptedAt ?? -.infinity)
            return first != second ? first < second : a.offset < b.offset
        }.map(\.element)
    }

    init(entries: [String: Entry] = [:]) { self.entries = entries }

    var stateText: String {
        (try? JSONEncoder().encode(entries)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Times outside years 1970 to 9999 (RFC 5280's "no expiry" is 9999-12-31) are not what this
    /// collector wrote; such an entry is dropped (and read again), as its times could not even be printed.
    init?(stateText: String) {
        guard let entries = try? JSONDecoder().decode([String: Entry].self, from: Data(stateText.utf8)) else { return nil }
        self.entries = entries.filter { _, entry in
            [entry.attemptedAt, entry.probedAt, entry.notAfter].allSatisfy { ($0 ?? 0) >= 0 && ($0 ?? 0) < 253_402_300_800 }
        }
    }
}
