#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Shared

/// Sends a report to the backend, and keeps in the spool what the backend could not take, to send
/// after a later run's own report.
enum ReportDelivery {
    /// Checks the report as the backend will, then POSTs it to /api/v1/report.
    static func send(_ report: Report, settings: SenderSettings) throws(SenderFailure) {
        do { try report.validate() } catch {
            throw SenderFailure(status: .badSettings, message: "the report is not valid: \(error.description)")
        }
        let url: String
        do { url = try settings.requireURL() } catch { throw SenderFailure(error) }
        let body: Data
        do { body = try Report.makeEncoder().encode(report) } catch {
            throw SenderFailure(status: .badSettings, message: "the report could not be encoded: \(error)")
        }
        let started = Clock.now()
        let client = settings.backendClient(url: url)
        let spool = ReportSpool(directory: settings.stateDir + "/spool")
        let name = ReportSpool.name(sentAtSeconds: Int64(report.sentAt.timeIntervalSince1970), reportId: report.reportId ?? "")
        // This run's report goes first, so a kept report the backend refuses never holds it back;
        // the backend orders reports by their time, so one that arrives late changes no latest value.
        do { _ = try client.post(path: "/api/v1/report", json: Array(body)) } catch {
            switch error {
            case .unreachable, .unavailable: keep(report, name: name, in: spool)
            case .rejected: break
            }
            throw SenderFailure(error)
        }
        sendKept(spool, client: client, until: min(started + Double(settings.retryBudget.seconds), settings.runEnd ?? .infinity))
    }

    /// Kept reports, oldest first, one attempt each while the run's retry budget lasts. A 5xx
    /// counts as a try (the backend just took this run's report, so it is up); an unreachable
    /// backend or a 429 ends the round and counts nothing.
    private static func sendKept(_ spool: ReportSpool, client: BackendClient, until deadline: Double) {
        var once = client
        once.retryBudget = TimeSpan(seconds: 0)
        for spooled in spool.pending() {
            guard Clock.now() + Double(client.timeout.seconds) <= deadline else { return }
            guard let bytes = spool.read(spooled) else { spool.remove(spooled); continue }
            do {
                _ = try once.post(path: "/api/v1/report", json: bytes)
                spool.remove(spooled)
            } catch {
                switch error {
                case .rejected(let status, let message):
                    StandardStreams.warn("dropped a kept report the backend refuses (HTTP \(status)): \(message)")
                    spool.remove(spooled)
                case .unavailable(let status, _) where status != 429:
                    spool.recordFailedTry(spooled, status: status)
                case .unavailable, .unreachable:
                    return
                }
            }
        }
    }

    /// Keeps a report the backend could not take, to send after the next run's own, marked as
    /// resent: its time is then old on purpose, and the backend keeps it (the same report id
    /// still tells the backend one it stored but could not acknowledge).
    private static func keep(_ report: Report, name: String, in spool: ReportSpool) {
        var kept = report
        kept.resent = true
        guard let body = try? Report.makeEncoder().encode(kept) else { return StandardStreams.warn("the report could not be kept: it did not encode") }
        do { try spool.save(Array(body), name: name) } catch { StandardStreams.warn(error.message) }
    }
}
