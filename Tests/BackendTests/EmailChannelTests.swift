import Foundation
import TestSupport
import Testing
@testable import Backend

/// The email channel against a real SMTP server (aiosmtpd) that requires STARTTLS and AUTH,
/// with a certificate made for the test and trusted through SMTP_CA_FILE.
@Suite struct EmailChannelTests {
    static let password = "smtp-s3cret-pass"

    final class Server: @unchecked Sendable {
        let directory: URL
        let daemon: Daemon
        let port: String
        let implicit: Bool

        /// `implicit`: TLS from the first byte (smtps://) instead of STARTTLS.
        init(implicit: Bool = false) async throws {
            self.implicit = implicit
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let made = try await runCommand("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", directory.appendingPathComponent("key.pem").path, "-out", directory.appendingPathComponent("cert.pem").path,
            ])
            guard made.status == 0 else { throw TestSetupError("openssl: \(made.stderr)") }
            daemon = try Daemon(["/usr/bin/python3", SenderBackendRig.support.appendingPathComponent("smtp_server.py").path, directory.path,
                                 directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path,
                                 "alerts@example.com", EmailChannelTests.password] + (implicit ? ["implicit"] : []),
                                stderr: directory.appendingPathComponent("server.err").path)
            let directory = self.directory
            port = try await SenderBackendRig.waitFor { try? String(contentsOfFile: directory.appendingPathComponent("port").path, encoding: .utf8) }
        }

        var environment: [String: String] {
            ["SMTP_URL": "\(implicit ? "smtps" : "smtp")://127.0.0.1:\(port)", "SMTP_USERNAME": "alerts@example.com", "SMTP_PASSWORD": EmailChannelTests.password,
             "SMTP_FROM": "Metrics Ümlaut <alerts@example.com>", "SMTP_TO": "ops@example.com, oncall@example.org",
             "SMTP_CA_FILE": directory.appendingPathComponent("cert.pem").path]
        }

        func mode(_ mode: String) throws {
            try mode.write(to: directory.appendingPathComponent("mode"), atomically: true, encoding: .utf8)
        }

        func messages() -> [[String: Any]] {
            let text = (try? String(contentsOf: directory.appendingPathComponent("messages.jsonl"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func stop() {
            daemon.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func email(_ env: [String: String]) throws -> any Notifier {
        try #require(try AlertConfig.fromEnvironment(env, publicURL: nil).notifiers["email"])
    }

    @Test func aMessageArrivesOverSTARTTLSWithBothPartsAndAnEncodedSubject() async throws {
        let server = try await Server()
        defer { server.stop() }
        #expect(try await Self.email(server.environment).send(ChatChannelTests.problem(id: 31)) == .delivered)
        let message = try #require(server.messages().first)
        #expect(message["tls"] as? Bool == true && message["login"] as? String == "alerts@example.com")
        #expect(message["mailFrom"] as? String == "alerts@example.com")
        #expect(message["rcptTos"] as? [String] == ["ops@example.com", "oncall@example.org"])
        let headers = message["headers"] as? [String: String] ?? [:]
        #expect(headers["From"] == "Metrics Ümlaut <alerts@example.com>")
        #expect(headers["To"] == "ops@example.com, oncall@example.org")
        #expect(headers["Subject"] == "🔴 ALERT web-1 · disk:/data&<x>*_#1")
        #expect(headers["Message-ID"] == "<notification-31@metrics-backend>")
        #expect(headers["Date"]?.hasSuffix("+0000") == true)
        #expect(message["contentType"] as? String == "multipart/alternative")
        #expect(message["defects"] as? [String] == [])
        // Each part decodes to CRLF lines, MIME's canonical form.
        let parts = (message["parts"] as? [String: String] ?? [:]).mapValues { $0.replacingOccurrences(of: "\r\n", with: "\n") }
        #expect((message["parts"] as? [String: String])?["text/plain"]?.contains("\r\n95% used") == true)
        #expect(parts["text/plain"]?.hasPrefix("🔴 ALERT web-1 · disk:/data&<x>*_#1\n95% used, above 90%\nopen the check: https://m.example/hosts/web-1") == true)
        #expect(parts["text/html"]?.contains("<b>web-1</b> · <code>disk:/data&amp;&lt;x&gt;*_#1</code><br>") == true)
        // Raw: CRLF line ends only, no line over 78 characters, the subject RFC 2047 encoded.
        let raw = message["raw"] as? String ?? ""
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(raw.contains("Subject: =?UTF-8?B?"))
    }

    @Test func aWrongPasswordIsFinalAndADownServerIsRetried() async throws {
        let server = try await Server()
        defer { server.stop() }
        var wrong = server.environment
        wrong["SMTP_PASSWORD"] = "not-the-password"
        let refused = try await Self.email(wrong).send(ChatChannelTests.problem())
        guard case .rejected(let error) = refused else { Issue.record("\(refused)"); return }
        #expect(error.contains("535") && !error.contains("not-the-password"), "\(error)")
        // A certificate the system does not trust (no SMTP_CA_FILE) is final too: only settings fix it.
        var untrusted = server.environment
        untrusted["SMTP_CA_FILE"] = nil
        guard case .rejected = try await Self.email(untrusted).send(ChatChannelTests.problem()) else { Issue.record("untrusted certificate accepted"); return }
        // The server's temporary (4xx) and final (5xx) answers.
        try server.mode("451")
        guard case .retry(nil, let busy) = try await Self.email(server.environment).send(ChatChannelTests.problem()) else { Issue.record("451 not retried"); return }
        #expect(busy.contains("451"), "\(busy)")
        try server.mode("550")
        guard case .rejected(let spam) = try await Self.email(server.environment).send(ChatChannelTests.problem()) else { Issue.record("550 retried"); return }
        #expect(spam.contains("550"), "\(spam)")
        #expect(server.messages().isEmpty)
        server.daemon.stop()
        guard case .retry(nil, let down) = try await Self.email(server.environment).send(ChatChannelTests.problem()) else { Issue.record("down not retried"); return }
        #expect(!down.contains(Self.password), "\(down)")
    }

    @Test func implicitTLSTakesALongSubjectInEncodedWordsWholeAndFolded() async throws {
        let server = try await Server(implicit: true)
        defer { server.stop() }
        let title = "🔴 " + String(repeating: "Größe überschritten · ", count: 8) + "Ende"
        #expect(try await Self.email(server.environment).sendDirect(title + "\nsecond line") == .delivered)
        let message = try #require(server.messages().first)
        #expect((message["headers"] as? [String: String])?["Subject"] == title)
        #expect((message["parts"] as? [String: String])?["text/plain"] == title + "\r\nsecond line")
        let raw = message["raw"] as? String ?? ""
        #expect(raw.components(separatedBy: "\r\n =?UTF-8?B?").count > 3, "the subject is folded over several encoded words")
    }

    @Test func aStorageMessageArrivesToo() async throws {
        let server = try await Server()
        defer { server.stop() }
        #expect(try await Self.email(server.environment).sendDirect("🔴 metrics-backend: storage unreachable since 08:00") == .delivered)
        let headers = server.messages().first?["headers"] as? [String: String] ?? [:]
        #expect(headers["Subject"] == "🔴 metrics-backend: storage unreachable since 08:00")
        #expect(headers["Message-ID"]?.hasPrefix("<direct-") == true)
    }
}
