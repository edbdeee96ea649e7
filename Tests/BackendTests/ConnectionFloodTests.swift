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

        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<2000 {
            let socket = try #require(Self.connect(port: port))
            // A request head that never ends.
            _ = "GET /healthz HTTP/1.1\r\nHost: x\r\n".withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            held.append(socket)
        }
        let health = try await runCommand("/usr/bin/curl", ["-sS", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"], environment: [:])
        #expect(health.stdout == "200", "healthz while 2000 connections are held: \(health.stdout) \(health.stderr)")
        // Past the idle timeout the server has closed them: a read sees the end.
        try await Task.sleep(for: .seconds(5))
        let closed = held.filter { Self.peerClosed($0) }.count
        #expect(closed == held.count, "\(held.count - closed) of \(held.count) connections are still open")
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

    static func connect(port: Int) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { close(socket); return nil }
        return socket
    }

    /// True when the peer has closed: reads that do not block reach the end (or a reset).
    static func peerClosed(_ socket: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { continue }  // whatever the server said before closing
            return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }
}
