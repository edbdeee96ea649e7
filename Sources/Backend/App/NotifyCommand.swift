import ArgumentParser
import Foundation

/// `notify test CHANNEL` sends a test message with the settings `serve` would use; `notify list`
/// names the channels they set up.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify", abstract: "Send a test message, or list the notification channels.",
        subcommands: [Test.self, List.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test message on one channel and print 'sent', or why it failed (exit code 1).")

        @Argument(help: "The channel's exact name, as `notify list` prints it: email, slack, telegram:-100123 …") var channel: String

        func run() async throws {
            let notifiers = try BackendConfig.fromEnvironment().alerting.notifiers
            guard let notifier = notifiers[channel] else {
                let names = notifiers.keys.sorted()
                throw CommandFailure(message: "no channel named \(channel); " + (names.isEmpty
                    ? "none is configured (see docs/alerting.md)" : "configured: \(names.joined(separator: ", "))"))
            }
            if let error = await ChannelTest.send(notifier) {
                throw CommandFailure(message: "\(channel): \(error.split(separator: "\n").joined(separator: " "))")
            }
            print("sent")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the configured channels (never their secrets).")

        func run() async throws {
            let notifiers = try BackendConfig.fromEnvironment().alerting.notifiers
            for (name, notifier) in notifiers.sorted(by: { $0.key < $1.key }) {
                print("\(name)\t\(ChannelTest.describe(notifier.budget))")
            }
        }
    }
}
