import ArgumentParser
import Foundation
import Shared

/// `metrics-backend ping-key create HOST`: the key of Healthchecks-style slug URLs
/// (`/ping/<ping-key>/<slug>`) for one host's heartbeats. Printed once; only its hash is kept.
struct PingKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping-key", abstract: "Create ping keys for slug ping URLs.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a ping key for HOST and print it once.",
            discussion: "Pings to /ping/KEY/SLUG reach HOST's heartbeat with that slug; add ?create=1 to make the check on its first ping.")

        @Argument(help: "The host whose heartbeats the key reaches.") var host: String

        func validate() throws {
            do { try Names.check(host, field: "HOST", maxLength: 200) } catch { throw ValidationError("\(error)") }
        }

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let logger = MetricsBackend.makeLogger(config)
            let key = PingKey.generate()
            try await withStore(config, logger: logger) { store in
                try await store.migrate()
                try await store.createPingKey(host: host, hash: TokenHash.of(key), now: Date())
            }
            print(key)
            FileHandle.standardError.write(Data("ping key created for host \(host); it is shown only now\n".utf8))
        }
    }
}

enum PingKey {
    /// 22 URL-safe characters (16 random bytes), as Healthchecks' ping keys look.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
