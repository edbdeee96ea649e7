import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes a timer or a script can act on.
enum ExitStatus: Int32 {
    case sent = 0
    case badSettings = 2
    case delivery = 3
    /// Another run holds the state directory.
    case busy = 4
}

/// A failure that ends a run: the message is one line, the exit code says which kind.
struct SenderFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var message: String
    var description: String { message }

    init(_ error: SettingsError) { (status, message) = (.badSettings, error.message) }
    init(_ error: DeliveryError) { (status, message) = (.delivery, error.description) }
    init(status: ExitStatus, message: String) { (self.status, self.message) = (status, message) }
}

@main
struct MetricsSender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics-sender",
        abstract: "Measures this host and sends the report and the journal to metrics-backend.",
        discussion: """
            Settings come from flags, then METRICS_URL, METRICS_TOKEN (or METRICS_TOKEN_FILE), METRICS_HOST, METRICS_STATE_DIR, \
            then \(SenderSettings.defaultConfigPath) (or --config FILE), then defaults. \
            Exit codes: 0 sent, 2 bad settings, 3 backend unreachable or rejected the data.
            """,
        version: SenderSettings.version,
        subcommands: [Run.self, Collect.self, Ping.self, Exec.self, Journal.self, Install.self]
    )

    /// ArgumentParser exits 64 with a usage screen on bad flags; a timer's log wants one line and 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as SenderFailure {
            fail(failure.message, status: failure.status)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            let message = MetricsSender.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(message.isEmpty ? "bad arguments; see --help" : message, status: .badSettings)
        }
    }

    static func fail(_ message: String, status: ExitStatus) -> Never {
        let line = Array("metrics-sender: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        Glibc.exit(status.rawValue)
    }
}
