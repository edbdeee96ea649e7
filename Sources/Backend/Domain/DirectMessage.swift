import Foundation
import Logging

/// A message about the backend itself, sent straight to every channel, not through the outbox:
/// when storage is down there is no outbox, and when evaluation hangs nobody writes to it.
enum DirectMessage {
    /// A few quick tries per channel, all channels at once.
    static func tellEveryone(_ text: String, notifiers: [String: any Notifier], logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            for (channel, notifier) in notifiers {
                group.addTask {
                    for attempt in 1...5 {
                        let result = await notifier.sendDirect(text)
                        if result == .delivered { return }
                        if case .rejected(let why) = result {
                            logger.error("a channel refused a direct message", metadata: ["channel": "\(channel)", "error": "\(why)"])
                            return
                        }
                        try? await Task.sleep(for: .seconds(attempt * 2))
                    }
                }
            }
        }
    }
}
