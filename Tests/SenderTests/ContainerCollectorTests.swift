import Foundation
import TestSupport
import Shared
@testable import Sender
import Testing

/// Docker's socket cannot be had here, so a real HTTP server on a unix socket stands in for it.
@Suite struct ContainerCollectorTests {
    static let containerList = """
        [{"Id":"8dfafdbc3a40aa9f7e0c1a2b3c4d5e6f","Names":["/nginx"],"Image":"nginx:1.27","State":"running","Status":"Up 2 hours"},
         {"Id":"1234567890abcdef1234","Names":["/runner-42"],"Image":"gitlab-runner","State":"running","Status":"Up 1 minute"},
         {"Id":"fedcba0987654321fedc","Names":["/db"],"Image":"postgres:15","State":"running","Status":"Up 3 days (healthy)"}]
        """

    /// Serves `body` with `status` for GET /v1.41/containers/json on a unix socket until stopped.
    final class DockerStandIn {
        let directory: URL
        let socket: String
        var daemon: Daemon?

        init(status: Int = 200, body: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("docker-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            socket = directory.appendingPathComponent("docker.sock").path
            let script = """
                import http.server, os, socketserver, sys
                os.closerange(3, 65536)  # tests run in parallel: keep no other test's pipe open
                body = open(sys.argv[2], "rb").read()
                class H(http.server.BaseHTTPRequestHandler):
                    def address_string(self): return "unix"
                    def do_GET(self):
                        ok = self.path == "/v1.41/containers/json"
                        answer = body
                        # Inspection: inspect-ID.json next to the body, read anew for each request.
                        inspect = os.path.join(os.path.dirname(sys.argv[2]), "inspect-" + self.path.split("/")[-2] + ".json")
                        if self.path.startswith("/v1.41/containers/") and self.path.endswith("/json") and os.path.exists(inspect):
                            ok, answer = True, open(inspect, "rb").read()
                        self.send_response(\(status) if ok else 404)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(answer)))
                        self.end_headers()
                        self.wfile.write(answer)
                    def log_message(self, *a): pass
                class S(socketserver.UnixStreamServer):
                    def get_request(self):
                        request, _ = self.socket.accept()
                        return request, ("unix", 0)
                S(sys.argv[1], H).serve_forever()
                """
            let bodyFile = directory.appendingPathComponent("body.json")
            try Data(body.utf8).write(to: bodyFile)
            daemon = try Daemon(["python3", "-c", script, socket, bodyFile.path])
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }
        }

        func stop() {
            daemon?.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func runningContainersBecomeHeartbeats() async throws {
        let docker = try DockerStandIn(body: Self.containerList)
        defer { docker.stop() }
        let outcome = try await SenderBinary.run([
            "collect", "--dry-run", "--collector", "container", "--docker-socket", docker.socket, "--exclude-container", "runner-",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.map(\.name) == ["container:db", "container:nginx"])
        let nginx = try #require(report.observations.last)
        #expect(nginx.kind == "container")
        #expect(nginx.status == "ok")
        #expect(nginx.details?["id"] == .string("8dfafdbc3a40"))
        #expect(nginx.details?["image"] == .string("nginx:1.27"))
    }

    /// An unhealthy health check, or a container between restarts, is a problem; healthy and
    /// starting are not.
    @Test func unhealthyAndRestartingContainersAreDegraded() async throws {
        let docker = try DockerStandIn(body: """
            [{"Id":"a1","Names":["/api"],"State":"running","Status":"Up 5 minutes (unhealthy)"},
             {"Id":"b2","Names":["/worker"],"State":"restarting","Status":"Restarting (1) 12 seconds ago"},
             {"Id":"c3","Names":["/web"],"State":"running","Status":"Up 3 seconds (health: starting)"},
             {"Id":"d4","Names":["/db"],"State":"running","Status":"Up 3 days (healthy)"}]
            """)
        defer { docker.stop() }
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "container", "--docker-socket", docker.socket])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.map(\.name) == ["container:api", "container:db", "container:web", "container:worker"])
        #expect(report.observations.map(\.status) == ["degraded", "ok", "ok", "degraded"])
        #expect(report.observations.map { $0.details?["health"] } == [.string("unhealthy"), .string("healthy"), .string("starting"), nil])
    }

    /// A container whose restart count rose since the previous run is in a restart loop; one
    /// that stays up is not, and one up for longer than the runs are apart is not asked again.
    @Test func aRisingRestartCountIsARestartLoop() async throws {
        let docker = try DockerStandIn(body: """
            [{"Id":"aa11","Names":["/crashy"],"State":"running","Status":"Up 20 seconds"},
             {"Id":"bb22","Names":["/steady"],"State":"running","Status":"Up 3 days"}]
            """)
        defer { docker.stop() }
        let state = docker.directory.appendingPathComponent("state")
        func inspect(_ id: String, restarts: Int) throws {
            try Data("{\"Id\":\"\(id)\",\"RestartCount\":\(restarts)}".utf8).write(to: docker.directory.appendingPathComponent("inspect-\(id).json"))
        }
        func run() async throws -> [Observation] {
            let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "container", "--docker-socket", docker.socket, "--state-dir", state.path])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        }
        try inspect("aa11", restarts: 4)
        try inspect("bb22", restarts: 1)
        #expect(try await run().map(\.status) == ["ok", "ok"], "the first run only learns the counts")
        try inspect("aa11", restarts: 6)
        try inspect("bb22", restarts: 9)
        let looping = try await run()
        #expect(looping.map(\.status) == ["degraded", "ok"], "steady is up for days: it was not asked, so its count did not matter")
        #expect(looping.first?.details?["restartedTimes"] == .number(2))
        #expect(try await run().map(\.status) == ["ok", "ok"], "no restart since the previous run")
    }

    @Test func dockerUptimeReadsDockersWords() {
        #expect(DockerUptime.seconds("Up Less than a second") == 0)
        #expect(DockerUptime.seconds("Up 20 seconds") == 20)
        #expect(DockerUptime.seconds("Up About a minute (healthy)") == 60)
        #expect(DockerUptime.seconds("Up 3 minutes (unhealthy)") == 180)
        #expect(DockerUptime.seconds("Up About an hour") == 3600)
        #expect(DockerUptime.seconds("Up 3 days") == 259_200)
        #expect(DockerUptime.seconds("Restarting (1) 12 seconds ago") == nil)
        #expect(DockerUptime.seconds("Up") == nil)
        #expect(DockerUptime.seconds("Up x minutes") == nil)
    }

    @Test func dockerErrorsBecomeAnErrorObservation() async throws {
        let docker = try DockerStandIn(status: 500, body: #"{"message":"daemon is sick"}"#)
        defer { docker.stop() }
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "container", "--docker-socket", docker.socket])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.count == 1)
        #expect(report.observations.first?.status == "error")
        #expect(report.observations.first?.error?.contains("daemon is sick") == true)
    }

    @Test func missingSocketIsQuietUnlessAskedFor() async throws {
        let quiet = try await SenderBinary.run(["collect", "--dry-run", "--docker-socket", "/nonexistent.sock"])
        #expect(quiet.status == 0)
        let quietReport = try Report.makeDecoder().decode(Report.self, from: Data(quiet.stdout.utf8))
        #expect(!quietReport.observations.contains { $0.kind == "container" })

        let asked = try await SenderBinary.run(["collect", "--dry-run", "--collector", "container", "--docker-socket", "/nonexistent.sock"])
        let askedReport = try Report.makeDecoder().decode(Report.self, from: Data(asked.stdout.utf8))
        #expect(askedReport.observations.first?.status == "error")
        #expect(askedReport.observations.first?.error?.contains("/nonexistent.sock") == true)
    }

    @Test func garbageFromDockerDoesNotCrash() async throws {
        let docker = try DockerStandIn(body: "[{\"Id\": 5}")
        defer { docker.stop() }
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "container", "--docker-socket", docker.socket])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("could not be read"))
    }
}
