import ArgumentParser
import Foundation
import HummingbirdBcrypt

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create users who may log in to the pages.",
        subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password is read from the first line of stdin and stored as a bcrypt hash.",
            discussion: "echo 'a long password' | metrics-backend user add admin@example.com")

        @Argument(help: "The email address the user logs in with.") var email: String

        func validate() throws {
            guard let problem = UserCommand.emailProblem(email) else { return }
            throw ValidationError(problem)
        }

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let logger = MetricsBackend.makeLogger(config)
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandFailure(message: "no password on stdin: echo 'PASSWORD' | metrics-backend user add \(email)", code: 2)
            }
            if let problem = UserCommand.passwordProblem(line) { throw CommandFailure(message: problem, code: 2) }
            let hash = Bcrypt.hash(line, cost: UserCommand.bcryptCost)
            let created = try await withStore(config, logger: logger) { store in
                try await store.migrate()
                return try await store.createUser(email: email, passwordHash: hash, now: Date())
            }
            guard created else { throw CommandFailure(message: "a user with email \(email) exists already") }
            print("user \(email) created")
        }
    }

    /// bcrypt's work factor: about a quarter of a second per login on this kind of machine.
    static let bcryptCost: UInt8 = 12

    static func emailProblem(_ email: String) -> String? {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !email.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "<" || $0 == ">" })
        else { return "'\(email.prefix(60))' is not an email address such as admin@example.com" }
        return nil
    }

    static func passwordProblem(_ password: String) -> String? {
        // bcrypt reads only the first 72 bytes; longer ones would silently match on their prefix.
        guard password.utf8.count >= 10 else { return "the password must be at least 10 characters" }
        guard password.utf8.count <= 72 else { return "the password must be at most 72 bytes (bcrypt's limit)" }
        return nil
    }
}
