import HTTPTypes

/// `MAX_CHECKS_PER_HOST`: a host token may not invent checks without end, each one stored,
/// evaluated and alerted on. A report or ping that would take a host past the limit is refused
/// whole, in the transaction that would have made its checks. The host's own check is not counted,
/// so a report of the most observations allowed still fits the default.
struct CheckLimit: Sendable {
    var maxPerHost: Int

    static let standard = CheckLimit(maxPerHost: 1000)

    /// The hosts a batch gave new checks to: only they can have gone past the limit.
    static func grownHosts(_ written: [WrittenCheck]) -> [String] {
        Array(Set(written.lazy.filter(\.isNew).map(\.host))).sorted()
    }

    /// Throws for the first host (by name) with more checks than allowed.
    func enforce(_ counts: [(host: String, checks: Int)]) throws(Exceeded) {
        if let over = counts.filter({ $0.checks > maxPerHost }).min(by: { $0.host < $1.host }) {
            throw Exceeded(host: over.host, checks: over.checks, limit: maxPerHost)
        }
    }

    struct Exceeded: StoreRefusal, Equatable {
        var host: String
        var checks: Int
        var limit: Int
        var status: HTTPResponse.Status { .unprocessableContent }
        var field: String? { "observations" }
        var message: String {
            "host '\(host)' would have \(checks) checks; the limit is \(limit) (MAX_CHECKS_PER_HOST): delete unused checks or raise the limit; nothing of this was stored"
        }
    }
}
