import Foundation

/// "Send a test message": the command `notify test CHANNEL` and the Channels page send the same one.
enum ChannelTest {
    /// A group of one harmless notification (a recovery, so that Alertmanager files it as resolved).
    /// Its id comes from the clock, so that Matrix and email do not take it for an earlier test.
    static func group(at now: Date = Date()) -> NotificationGroup {
        let message = NotificationMessage(kind: .recovery, host: "metrics-backend", check: "test", checkKind: .gauge, from: .ok, to: .ok,
                                          value: nil, unit: nil, reason: "A test message: this channel works.", at: now, duration: nil, link: nil)
        return NotificationGroup(id: Int64(now.timeIntervalSince1970 * 1000), messages: [message])
    }

    /// The test message sent on `notifier`: nil when it was delivered, else why not (secrets hidden).
    static func send(_ notifier: any Notifier) async -> String? {
        await notifier.send(group()).error
    }

    /// `telegram` for `telegram:-100123`.
    static func kind(of channel: String) -> String {
        String(channel.prefix { $0 != ":" })
    }

    /// How fast a channel may be sent to, in words.
    static func describe(_ budget: ChannelBudget) -> String {
        let spacing = budget.spacing == 0 ? "no wait between messages" : "one message every \(budget.spacing.formatted()) s at most"
        return spacing + (budget.folds ? "; notifications in between fold into one" : "; one notification per request")
    }
}
