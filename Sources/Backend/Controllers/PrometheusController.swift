import Foundation
import Hummingbird

/// `GET /metrics` in Prometheus text format: the backend's own metrics, and the value and state
/// of every check, so Prometheus and Grafana users can scrape us. Needs an all-hosts token
/// (Prometheus: `authorization: {credentials: TOKEN}`), as check names and values are private.
struct PrometheusController<Context: RequestContext> {
    let store: any Store

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self).get("metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        let checks = try await store.checks(host: nil, state: nil)
        let depth = try await store.outboxDepth()
        var out = PrometheusText()
        Self.write(BackendMetrics.shared, outboxDepth: depth, engine: store.engine, into: &out)
        Self.write(checks, into: &out)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: out.text)))
    }

    static func write(_ metrics: BackendMetrics, outboxDepth: Int, engine: String, into out: inout PrometheusText) {
        let state = metrics.state.withLock { $0 }
        out.family("metrics_backend_info", "gauge", "The running backend: its storage engine.")
        out.sample("metrics_backend_info", [("engine", engine)], 1)
        out.family("metrics_backend_start_time_seconds", "gauge", "When this backend started, Unix seconds.")
        out.sample("metrics_backend_start_time_seconds", [], metrics.started.timeIntervalSince1970.rounded())
        out.family("metrics_http_requests_total", "counter", "HTTP requests answered, by method, route and status.")
        for (key, count) in state.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out.sample("metrics_http_requests_total", [("method", key.method), ("route", key.route), ("status", String(key.status))], Double(count))
        }
        out.family("metrics_http_request_duration_seconds", "histogram", "Time to answer an HTTP request.")
        for (index, bound) in BackendMetrics.bounds.enumerated() {
            out.sample("metrics_http_request_duration_seconds_bucket", [("le", PrometheusText.format(bound))], Double(state.durationBuckets[index]))
        }
        out.sample("metrics_http_request_duration_seconds_bucket", [("le", "+Inf")], Double(state.durationCount))
        out.sample("metrics_http_request_duration_seconds_sum", [], state.durationSum)
        out.sample("metrics_http_request_duration_seconds_count", [], Double(state.durationCount))
        out.family("metrics_ingested_reports_total", "counter", "Reports stored (retries not counted).")
        out.sample("metrics_ingested_reports_total", [], Double(state.reports))
        out.family("metrics_ingested_observations_total", "counter", "Observations in stored reports.")
        out.sample("metrics_ingested_observations_total", [], Double(state.observations))
        out.family("metrics_ingested_journal_entries_total", "counter", "Journal entries stored.")
        out.sample("metrics_ingested_journal_entries_total", [], Double(state.journalEntries))
        out.family("metrics_flips_total", "counter", "State changes of checks this backend decided.")
        out.sample("metrics_flips_total", [], Double(state.flips))
        out.family("metrics_messages_queued_total", "counter", "Messages this backend put in the outbox (once per flip heard; per channel rows follow).")
        out.sample("metrics_messages_queued_total", [], Double(state.messagesQueued))
        out.family("metrics_notifications_delivered_total", "counter", "Notifications delivered, by channel.")
        for (channel, count) in state.delivered.sorted(by: { $0.key < $1.key }) {
            out.sample("metrics_notifications_delivered_total", [("channel", channel)], Double(count))
        }
        out.family("metrics_notification_failures_total", "counter", "Failed delivery attempts, by channel (retried or final).")
        for (channel, count) in state.deliveryFailures.sorted(by: { $0.key < $1.key }) {
            out.sample("metrics_notification_failures_total", [("channel", channel)], Double(count))
        }
        out.family("metrics_outbox_depth", "gauge", "Notifications waiting for delivery.")
        out.sample("metrics_outbox_depth", [], Double(outboxDepth))
        out.family("metrics_evaluator_leader", "gauge", "1 when this backend leads evaluation.")
        out.sample("metrics_evaluator_leader", [], state.evaluatorLeader ? 1 : 0)
        out.family("metrics_evaluator_lag_seconds", "gauge", "How late after their deadline the last due checks were evaluated.")
        out.sample("metrics_evaluator_lag_seconds", [], state.evaluatorLag)
        out.family("metrics_evaluator_queued_checks", "gauge", "Checks waiting in the leader's deadline queue.")
        out.sample("metrics_evaluator_queued_checks", [], Double(state.evaluatorQueue))
        if let beat = state.evaluatorBeat {
            out.family("metrics_evaluator_last_beat_seconds", "gauge", "When the leading evaluator last recorded its heartbeat, Unix seconds.")
            out.sample("metrics_evaluator_last_beat_seconds", [], beat.timeIntervalSince1970.rounded())
        }
    }

    /// Per check: its value (numeric checks), its state (0 ok, 1 alert, 2 no-data) and when it was last seen.
    static func write(_ checks: [CheckRecord], into out: inout PrometheusText) {
        out.family("metrics_check_value", "gauge", "The latest value of each numeric check, in its unit.")
        for check in checks { if let value = check.value { out.sample("metrics_check_value", labels(check), value) } }
        out.family("metrics_check_state", "gauge", "The state of each check: 0 ok, 1 alert, 2 no-data.")
        for check in checks {
            let code: Double = switch check.state { case .ok: 0; case .alert: 1; case .noData: 2 }
            out.sample("metrics_check_state", labels(check), code)
        }
        out.family("metrics_check_last_seen_seconds", "gauge", "When each check was last reported, Unix seconds.")
        for check in checks { out.sample("metrics_check_last_seen_seconds", labels(check), check.lastSeen.timeIntervalSince1970.rounded()) }
    }

    static func labels(_ check: CheckRecord) -> [(String, String)] {
        [("host", check.host), ("name", check.name), ("kind", check.kind.rawValue)]
    }
}
