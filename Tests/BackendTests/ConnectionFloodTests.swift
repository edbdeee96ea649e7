import Foundation
import TestSupport
import Testing

/// Connections held open by one client must not cost anyone else: the real backend, started as
/// systemd starts it (1024 descriptors soft), keeps answering `/healthz` while 2,000 half-open
/// connections wait, and closes them after its idle timeout.
@Suite struct ConnectionFloodTests {
    typealias E = EndToEndTests

    @Test func halfOpenConnectionsNeitherBlockOthersNorStay() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("flood-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let stdout = data.appendingPathComponent("stdout").path
        let backend = E.buildDirectory.appendingPathComponent("metrics-backend").path
        let server = try Daemon(["/usr/bin/prlimit", "--nofile=1024:20000", backend, "serve", "--port", "0"], stdout: stdout,
                                stderr: data.appendingPathComponent("stderr").path,
                                environment: ["DATA_DIR": data.appendingPathComponent("db").path, "HTTP_IDLE_TIMEOUT": "3s", "PATH": "/usr/bin:/bin"])
        defer { server.stop() }
        let port = try #require(try await Self.listeningPort(stdout))

        // The connections are held by a process of its own (see hold_connections.py).
        let held = data.appendingPathComponent("held").path
        let holder = try Daemon(["/usr/bin/python3", SenderBackendRig.support.appendingPathComponent("hold_connections.py").path, "\(port)", "2000", "6"],
                                stdout: held)
        defer { holder.stop() }
        #expect(try await Self.line(in: held, startingWith: "open ") == "open 2000", "the connections could not all be opened")
        let health = try await runCommand("/usr/bin/curl", ["-sS", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"], environment: [:])
        #expect(health.stdout == "200", "healthz while 2000 connections are held: \(health.stdout) \(health.stderr)")
        // Past the idle timeout the server has closed them all.
        #expect(try await Self.line(in: held, startingWith: "closed ") == "closed 2000")
    }

    /// The first line of `path` that starts with `prefix`, or one saying the holder failed, waiting up to a minute.
    static func line(in path: String, startingWith prefix: String) async throws -> String? {
        for _ in 0..<1200 {
            let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
            if let line = lines.first(where: { $0.hasPrefix(prefix) || $0.hasPrefix("failed") }) { return String(line) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    static func listeningPort(_ stdout: String) async throws -> Int? {
        for _ in 0..<400 {
            let text = (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("metrics-backend listening on ") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) { return port }
            try await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }
}
