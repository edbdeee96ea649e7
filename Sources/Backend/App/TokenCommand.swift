import ArgumentParser
import Foundation
import Shared

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once; only its hash is stored.",
            discussion: "A token for HOST may only report for that host. --all-hosts makes one that may report for any host and read the API.")

        @Argument(help: "The host this token may report for.") var host: String?
        @Flag(help: "Not scoped to one host: reports for any host and reads the API.") var allHosts = false
        @Option(help: "A note to tell tokens apart.") var label: String?

        func validate() throws {
            guard (host == nil) != !allHosts else {
                throw ValidationError(host == nil ? "name a HOST, or pass --all-hosts" : "give either HOST or --all-hosts, not both")
            }
            if let host { try checkName(host, field: "HOST") }
            if let label { try checkName(label, field: "--label") }
        }

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let logger = MetricsBackend.makeLogger(config)
            let token = TokenHash.generate()
            let new = NewToken(hash: TokenHash.of(token), prefix: TokenHash.prefix(of: token), host: host, label: label, createdAt: Date())
            let record = try await withStore(config, logger: logger) { store in
                try await store.migrate()
                return try await store.createToken(new)
            }
            print(token)
            FileHandle.standardError.write(Data("token \(record.id) created for \(host.map { "host \($0)" } ?? "all hosts"); it is shown only now\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never the tokens themselves).")

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let logger = MetricsBackend.makeLogger(config)
            let tokens = try await withStore(config, logger: logger) { store in
                try await store.migrate()
                return try await store.tokens()
            }
            print(["ID", "PREFIX", "HOST", "CREATED", "REVOKED", "LABEL"].joined(separator: "\t"))
            for token in tokens {
                print([
                    "\(token.id)", token.prefix + "…", token.host ?? "*", token.createdAt.formatted(.iso8601),
                    token.revokedAt?.formatted(.iso8601) ?? "-", token.label ?? "",
                ].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its ID (see token list).")

        @Argument(help: "The token's ID.") var id: Int64

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let logger = MetricsBackend.makeLogger(config)
            let revoked = try await withStore(config, logger: logger) { store in
                try await store.migrate()
                return try await store.revokeToken(id: id, at: Date())
            }
            guard revoked else { throw CommandFailure(message: "no live token has ID \(id); see metrics-backend token list") }
            print("token \(id) revoked")
        }
    }
}

private func checkName(_ text: String, field: String) throws {
    do {
        try Names.check(text, field: field, maxLength: 200)
    } catch {
        throw ValidationError("\(error)")
    }
}
