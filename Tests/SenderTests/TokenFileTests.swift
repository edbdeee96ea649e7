import Foundation
import Testing

/// `--token-file`, `METRICS_TOKEN_FILE` and `token_file`: the token read from a file, so it is
/// not on a command line in `ps`. Whether the backend takes it: ReportDeliveryTests.
@Suite struct TokenFileTests {
    /// A file in a fresh directory with these contents and mode.
    func file(_ contents: String, mode: Int = 0o600, name: String = "token") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func aGoodFileIsReadQuietly() async throws {
        let path = try file("mt_abc123\n")
        let outcome = try await SenderBinary.run(["ping", "job", "--dry-run", "--token-file", path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
    }

    @Test(arguments: [
        ("missing", "No such file or directory"),
        ("empty", "is empty"),
        ("blank", "is empty"),
        ("spaces", "must be printable ASCII"),
    ])
    func aBadFileExitsTwoWithOneLine(kind: String, mention: String) async throws {
        let path: String
        switch kind {
        case "missing": path = try file("") + "-gone"
        case "empty": path = try file("")
        case "blank": path = try file("\n\n")
        default: path = try file("mt_secret with-space\n")
        }
        for (arguments, environment) in [(["--token-file", path], [:]), ([], ["METRICS_TOKEN_FILE": path])] {
            let outcome = try await SenderBinary.run(["ping", "job", "--dry-run"] + arguments, environment: environment)
            #expect(outcome.status == 2)
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
            #expect(outcome.stderr.contains(mention) && outcome.stderr.contains(path), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("mt_secret"), "the token itself must never be shown")
            #expect(outcome.stderr.contains(arguments.isEmpty ? "METRICS_TOKEN_FILE" : "--token-file"), "\(outcome.stderr)")
        }
    }

    @Test func aFileOthersMayReadIsUsedWithAWarning() async throws {
        let path = try file("mt_abc123\n", mode: 0o644)
        let outcome = try await SenderBinary.run(["ping", "job", "--dry-run", "--token-file", path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("readable by other users") && outcome.stderr.contains("chmod 600"), "\(outcome.stderr)")
    }

    @Test func aTokenAndATokenFileFromOneSourceAreRefused() async throws {
        let path = try file("mt_abc123\n")
        let flags = try await SenderBinary.run(["ping", "job", "--dry-run", "--token", "mt_x", "--token-file", path])
        #expect(flags.status == 2 && flags.stderr.contains("--token and --token-file"), "\(flags.stderr)")
        let environment = try await SenderBinary.run(["ping", "job", "--dry-run"], environment: ["METRICS_TOKEN": "mt_x", "METRICS_TOKEN_FILE": path])
        #expect(environment.status == 2 && environment.stderr.contains("METRICS_TOKEN and METRICS_TOKEN_FILE"), "\(environment.stderr)")
        let config = try file("token = \"mt_x\"\ntoken_file = \"\(path)\"\n", name: "sender.toml")
        let both = try await SenderBinary.run(["ping", "job", "--dry-run", "--config", config])
        #expect(both.status == 2 && both.stderr.contains("token and token_file"), "\(both.stderr)")
    }

    /// A source that loses is never read: a missing file there is no error.
    @Test func onlyTheWinningSourcesFileIsRead() async throws {
        let good = try file("mt_abc123\n")
        let missing = good + "-gone"
        let config = try file("token_file = \"\(missing)\"\n", name: "sender.toml")
        let cases: [([String], [String: String])] = [
            (["--config", config], ["METRICS_TOKEN": "mt_env"]),
            (["--config", config], ["METRICS_TOKEN_FILE": good]),
            (["--config", config, "--token-file", good], ["METRICS_TOKEN_FILE": missing]),
            (["--config", config, "--token", "mt_flag"], ["METRICS_TOKEN_FILE": missing]),
        ]
        for (arguments, environment) in cases {
            let outcome = try await SenderBinary.run(["ping", "job", "--dry-run"] + arguments, environment: environment)
            #expect(outcome.status == 0, "\(arguments) \(environment): \(outcome.stderr)")
        }
        let loses = try await SenderBinary.run(["ping", "job", "--dry-run", "--config", config])
        #expect(loses.status == 2 && loses.stderr.contains("token_file in \(config)"), "\(loses.stderr)")
    }
}
