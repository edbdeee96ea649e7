import Foundation

/// Prometheus Alertmanager: `POST {ALERTMANAGER_URL}/api/v2/alerts` with the whole group as one
/// array of alerts, which Alertmanager then routes, groups, silences and inhibits itself.
struct AlertmanagerNotifier: Notifier {
    var url: String

    struct Alert: Codable, Equatable {
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String?
        var generatorURL: String?
    }

    /// Alertmanager takes any number of alerts in one request, so nothing waits.
    var budget: ChannelBudget { ChannelBudget(spacing: 0) }

    /// A problem is sent once, and Alertmanager resolves an alert it stops hearing about after
    /// its resolve_timeout (5 m); so a problem says it lasts this long, and its recovery ends it.
    static let problemLasts: TimeInterval = 365 * 86400

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        await post(group.messages.map(Self.alert))
    }

    /// The backend's own trouble: an alert of its own that Alertmanager resolves after resolve_timeout.
    func sendDirect(_ text: String) async -> DeliveryAttempt {
        await post([Alert(labels: ["alertname": "MetricsBackend", "severity": "critical"],
                          annotations: ["summary": GroupText(text: text).title, "description": GroupText(text: text).render(.plain)],
                          startsAt: Self.time(Date()))])
    }

    /// Labels name the check (host, check, kind) and stay the same from problem to recovery, so
    /// the recovery ends the very alert the problem started.
    static func alert(_ message: NotificationMessage) -> Alert {
        let state = message.kind == .recovery ? message.from : message.to
        var alert = Alert(
            labels: ["alertname": "MetricsCheck", "host": message.host, "check": message.check, "kind": message.checkKind.rawValue,
                     "severity": state == .alert ? "critical" : "warning"],
            annotations: ["summary": GroupText(NotificationGroup(single: message)).title, "description": message.reason],
            startsAt: time(message.at), generatorURL: message.link)
        if message.kind == .recovery {
            alert.startsAt = time(message.at.addingTimeInterval(-(message.duration ?? 0)))
            alert.endsAt = time(message.at)
        } else {
            alert.endsAt = time(message.at.addingTimeInterval(problemLasts))
        }
        return alert
    }

    static func time(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    private func post(_ alerts: [Alert]) async -> DeliveryAttempt {
        let attempt: DeliveryAttempt
        do {
            let answer = try await NotifierHTTP.send(NotifierHTTP.join(url, "/api/v2/alerts"), json: try JSONEncoder().encode(alerts))
            // 400 (an alert Alertmanager cannot take) is final; 5xx (a cluster not ready) is retried.
            attempt = NotifierHTTP.classify(status: answer.status, retryAfter: answer.retryAfter, detail: answer.text)
        } catch {
            attempt = NotifierHTTP.unreachable("Alertmanager", error)
        }
        // Its URL may carry basic auth credentials.
        return attempt.hiding(NotifierHTTP.secrets(ofURL: url))
    }
}
