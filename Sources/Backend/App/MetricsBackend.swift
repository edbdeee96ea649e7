import ArgumentParser
import Foundation
import Logging

@main
struct MetricsBackend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics-backend",
        abstract: "Stores what metrics-sender reports, raises alerts and serves the pages.",
        discussion: """
            Settings come from the environment: DATABASE_URL (unset: SQLite under DATA_DIR, default ./data), \
            SAMPLE_RETENTION, ALLOW_ANONYMOUS_INGEST, PUBLIC_URL, LOG_LEVEL and the limits in docs/configuration.md. \
            A bad setting exits with code 2 and one line saying what to fix.
            """,
        subcommands: [Serve.self, Migrate.self, TokenCommand.self, PingKeyCommand.self, UserCommand.self, NotifyCommand.self]
    )

    /// One line on stderr and exit code 2 for bad settings and arguments, as the sender does.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            let message = MetricsBackend.message(for: error).split(separator: "\n").first.map(String.init) ?? ""
            fail(message.isEmpty ? "bad arguments; see --help" : message, code: 2)
        }
        do {
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigError {
            fail("\(error)", code: 2)
        } catch let error as StoreError {
            fail("\(error)", code: 1)
        } catch let error as CommandFailure {
            fail(error.message, code: error.code)
        } catch {
            fail(LoggedError.text(error).split(separator: "\n").first.map(String.init) ?? "failed", code: 1)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("metrics-backend: \(message)\n".utf8))
        Foundation.exit(code)
    }

    static func makeLogger(_ config: BackendConfig) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = config.logLevel
            return handler
        }
        return Logger(label: "metrics-backend")
    }
}

/// A command that cannot do what was asked: a message for the user and an exit code.
struct CommandFailure: Error {
    var message: String
    var code: Int32 = 1
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server, the evaluator and maintenance.")

    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one and prints it.") var port = 8080

    func run() async throws {
        let config = try BackendConfig.fromEnvironment()
        guard (0...65535).contains(port) else { throw ConfigError(variable: "--port", message: "\(port) is not a port number") }
        let logger = MetricsBackend.makeLogger(config)
        let app = try await buildApplication(config, hostname: hostname, port: port, logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations and exit.")

    func run() async throws {
        let config = try BackendConfig.fromEnvironment()
        let logger = MetricsBackend.makeLogger(config)
        let engine = try await withStores(config, logger: logger) { stores in
            try await stores.migrate()
            await MaintenanceService.runOnce(stores: stores, retention: Retention(samples: config.sampleRetention), logger: logger)
            return "\(stores.store.engine), journal on \(stores.journal.engine)"
        }
        print("migrated (\(engine))")
    }
}
