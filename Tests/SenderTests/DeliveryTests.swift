import Foundation
import TestSupport
import Shared
import Testing

/// How the sender talks HTTP: bearer token, gzip, retries on 5xx, a 4xx is final.
/// A recording HTTP server on loopback answers, because it can fail on demand (503, then 200).
@Suite struct DeliveryTests {
    final class RecordingServer {
        let directory: URL
        let daemon: Daemon
        let url: String

        init(statuses: [Int]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("backend-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Support/recording_http_server.py")
            daemon = try Daemon(["python3", script.path, directory.path, statuses.map(String.init).joined(separator: ",")])
            var port: String?
            for _ in 0..<200 where port == nil {
                port = try? String(contentsOf: directory.appendingPathComponent("port"), encoding: .utf8)
                if port == nil { usleep(25_000) }
            }
            url = "http://127.0.0.1:\(port ?? "1")"
        }

        var requests: [[String: Any]] {
            let text = (try? String(contentsOf: directory.appendingPathComponent("requests.jsonl"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func stop() {
            daemon.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func header(_ request: [String: Any], _ name: String) -> String? {
        (request["headers"] as? [String: String])?.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    @Test func postsTheReportWithTheToken() throws {
        let server = try RecordingServer(statuses: [200])
        defer { server.stop() }
        let outcome = try SenderBinary.run(["ping", "backup-db", "--every", "1d", "--url", server.url, "--token", "mt_secret", "--host", "web-1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request["path"] as? String == "/api/v1/report")
        #expect(header(request, "Authorization") == "Bearer mt_secret")
        #expect(header(request, "Content-Type") == "application/json")
        #expect(header(request, "Content-Encoding") == nil)
        let report = try Report.makeDecoder().decode(Report.self, from: Data((request["body"] as? String ?? "").utf8))
        #expect(report.host == "web-1")
        #expect(report.observations == [Observation(name: "backup-db", kind: .heartbeat, status: "ok", every: 86400)])
    }

    @Test func retriesServerErrorsThenSucceeds() throws {
        let server = try RecordingServer(statuses: [503, 500, 200])
        defer { server.stop() }
        let outcome = try SenderBinary.run(["ping", "job", "--url", server.url, "--timeout", "5s"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(server.requests.count == 3)
        let bodies = Set(server.requests.compactMap { $0["body"] as? String })
        #expect(bodies.count == 1, "a retry must send the same report, so the backend can recognise it")
    }

    @Test func aClientErrorIsFinalAndShown() throws {
        let server = try RecordingServer(statuses: [400])
        defer { server.stop() }
        let outcome = try SenderBinary.run(["ping", "job", "--url", server.url])
        #expect(outcome.status == 3)
        #expect(server.requests.count == 1)
        #expect(outcome.stderr.contains(#"{"error": "host is not valid", "field": "host"}"#), "\(outcome.stderr)")
    }

    @Test func largeReportsAreGzipped() throws {
        // Sixty arrays make a report well above the 8 KiB gzip threshold.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("many-md-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("proc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let arrays = (0..<60).map { "md\($0) : active raid1 sdb\($0)[1] sda\($0)[0]\n      1000 blocks super 1.2 [2/2] [UU]\n" }
        try ("Personalities : [raid1]\n" + arrays.joined(separator: "\n") + "unused devices: <none>\n")
            .write(to: root.appendingPathComponent("proc/mdstat"), atomically: true, encoding: .utf8)
        let server = try RecordingServer(statuses: [200])
        defer { server.stop() }
        let outcome = try SenderBinary.run(["collect", "--root", root.path, "--url", server.url])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let request = try #require(server.requests.first)
        #expect(header(request, "Content-Encoding") == "gzip")
        let report = try Report.makeDecoder().decode(Report.self, from: Data((request["body"] as? String ?? "").utf8))
        #expect(report.observations.count == 60)
    }
}
