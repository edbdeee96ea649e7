import ArgumentParser
import Foundation
import HummingbirdBcrypt

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the users who may log in to the pages.",
        subcommands: [Add.self, List.self, Remove.self, Passwd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password is read from the first line of stdin and stored as a bcrypt hash.",
            discussion: "echo 'a long password' | metrics-backend user add admin@example.com")

        @Argument(help: "The email address the user logs in with.") var email: String
        @Option(help: "admin (changes anything) or viewer (sees every page, changes nothing).") var role: String = "admin"

        func validate() throws {
            guard UserRole(rawValue: role) != nil else { throw ValidationError("--role must be admin or viewer, not '\(role.prefix(40))'") }
            guard let problem = UserCommand.emailProblem(email) else { return }
            throw ValidationError(problem)
        }

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let logger = MetricsBackend.makeLogger(config)
            let hash = try UserCommand.passwordHashFromStdin(usage: "metrics-backend user add \(email)")
            let role = UserRole(rawValue: role) ?? .admin
            let created = try await withStore(config, logger: logger) { store in
                try await store.migrate()
                return try await store.createUser(email: email, passwordHash: hash, role: role, now: Date())
            }
            guard created else { throw CommandFailure(message: "a user with email \(email) exists already") }
            print("user \(email) created (\(role.rawValue))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users: email, role, created.")

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let users = try await withStore(config, logger: MetricsBackend.makeLogger(config)) { store in
                try await store.migrate()
                return try await store.users()
            }
            for user in users { print("\(user.email)\t\(user.role.rawValue)\t\(user.createdAt.ISO8601Format())") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user; their sessions end at once.")

        @Argument(help: "The user's email address.") var email: String

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let removed = try await withStore(config, logger: MetricsBackend.makeLogger(config)) { store in
                try await store.migrate()
                return try await store.deleteUser(email: email)
            }
            guard removed else { throw CommandFailure(message: "there is no user \(email)") }
            print("user \(email) removed")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password from the first line of stdin; their sessions end at once.",
            discussion: "echo 'a new long password' | metrics-backend user passwd admin@example.com")

        @Argument(help: "The user's email address.") var email: String

        func run() async throws {
            let config = try BackendConfig.fromEnvironment()
            let hash = try UserCommand.passwordHashFromStdin(usage: "metrics-backend user passwd \(email)")
            let changed = try await withStore(config, logger: MetricsBackend.makeLogger(config)) { store in
                try await store.migrate()
                return try await store.setPasswordHash(email: email, passwordHash: hash)
            }
            guard changed else { throw CommandFailure(message: "there is no user \(email)") }
            print("password of \(email) changed; their sessions have ended")
        }
    }

    /// The first line of stdin, checked and hashed; a one-line error (exit 2) otherwise.
    static func passwordHashFromStdin(usage: String) throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandFailure(message: "no password on stdin: echo 'PASSWORD' | \(usage)", code: 2)
        }
        if let problem = passwordProblem(line) { throw CommandFailure(message: problem, code: 2) }
        return Bcrypt.hash(line, cost: PasswordCheck.bcryptCost)
    }

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
