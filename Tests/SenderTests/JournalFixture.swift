import Foundation
import TestSupport

/// A real journal, written by systemd-journal-remote from Journal Export Format: two files (as
/// after a rotation), two boots, several units, container entries, a message that is not UTF-8,
/// one longer than sd_journal's default 64 KiB cut, and two entries hours old that a first run
/// must not read. Recent entries lie within the last five minutes, inside the default window.
struct JournalFixture {
    struct Entry {
        var realtime: Int64
        var monotonic: Int64
        var boot: String
        var fields: [(name: String, value: [UInt8])]

        func text(_ name: String) -> String? {
            fields.first { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
        }

        func bytes(_ name: String) -> [UInt8]? { fields.first { $0.name == name }?.value }

        /// The unit `journalctl -u` files the entry under: systemd's lines about a unit go to that unit.
        var unit: String? { text("_PID") == "1" ? text("UNIT") ?? text("_SYSTEMD_UNIT") : text("_SYSTEMD_UNIT") }
    }

    static let bootA = "6f1e2d3c4b5a49788796a5b4c3d2e1f0"
    static let bootB = "0a1b2c3d4e5f47689788a9b0c1d2e3f4"
    static let host = "fixture-host"
    static let binaryMessage: [UInt8] = Array("bad ".utf8) + [0xFF, 0xFE] + Array(" bytes ".utf8) + [0xC3, 0x28]
    static let escapedMessage = "quote \" backslash \\ newline \n tab \t bell \u{7} unicode é ✓ 😀"
    static let longMessage = String(repeating: "0123456789", count: 10_000)

    let directory: URL
    /// The rotated (older) file's entries, then the current file's, in journal order.
    let entries: [Entry]
    /// Entries older than an hour: outside any first run's window.
    var old: [Entry] { entries.filter { $0.realtime < cutoff } }
    var recent: [Entry] { entries.filter { $0.realtime >= cutoff } }
    private let cutoff: Int64

    static func make() throws -> JournalFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let second: Int64 = 1_000_000

        func entry(_ at: Int64, _ boot: String, _ monotonic: Int64, _ pairs: [(String, String)], message: [UInt8]) -> Entry {
            var fields = [("_HOSTNAME", Array(host.utf8))] + pairs.map { ($0.0, Array($0.1.utf8)) }
            fields.append(("MESSAGE", message))
            return Entry(realtime: at, monotonic: monotonic, boot: boot, fields: fields.map { (name: $0.0, value: $0.1) })
        }
        func unit(_ unit: String?, _ identifier: String, _ priority: Int?, pid: Int, transport: String = "journal") -> [(String, String)] {
            var pairs: [(String, String)] = []
            if let unit { pairs.append(("_SYSTEMD_UNIT", unit)) }
            pairs += [("SYSLOG_IDENTIFIER", identifier), ("_PID", "\(pid)"), ("_TRANSPORT", transport)]
            if let priority { pairs.append(("PRIORITY", "\(priority)")) }
            return pairs
        }

        let a = now - 280 * second
        let rotated = [
            entry(now - 3 * 3600 * second, bootA, 1_000_000, unit("cron.service", "CRON", 6, pid: 50), message: Array("old entry one".utf8)),
            entry(now - 2 * 3600 * second, bootA, 2_000_000, unit("cron.service", "CRON", 6, pid: 51), message: Array("old entry two".utf8)),
            entry(a, bootA, 9_000_000, unit("nginx.service", "nginx", 6, pid: 101, transport: "stdout") + [("_COMM", "nginx")],
                  message: Array("GET /index.html 200".utf8)),
            entry(a + 10 * second, bootA, 9_100_000, unit("sshd.service", "sshd", 5, pid: 202, transport: "syslog") + [("_COMM", "sshd")],
                  message: Array("Accepted publickey for root from 10.0.0.1".utf8)),
            entry(a + 20 * second, bootA, 9_200_000,
                  unit("docker.service", "dockerd", 4, pid: 303) + [("CONTAINER_NAME", "runner-42"), ("CONTAINER_ID", "abc123def456")],
                  message: Array("job 42 started".utf8)),
            entry(a + 30 * second, bootA, 9_300_000,
                  unit("docker.service", "web-app", 3, pid: 303) + [("CONTAINER_NAME", "web-app"), ("CONTAINER_ID", "0123456789ab")],
                  message: Array("upstream timed out".utf8)),
            entry(a + 40 * second, bootA, 9_400_000, unit("nginx.service", "nginx", 3, pid: 101), message: binaryMessage),
            entry(a + 50 * second, bootA, 9_500_000, unit(nil, "kernel", 2, pid: 0, transport: "kernel"),
                  message: Array("EXT4-fs error (device md2)".utf8)),
            entry(a + 60 * second, bootA, 9_600_000, unit("sshd.service", "sshd", nil, pid: 202), message: Array("no priority here".utf8)),
        ]
        let b = now - 100 * second
        let current = [
            entry(b, bootB, 5_000_000, unit("nginx.service", "nginx", 7, pid: 111), message: Array("debug line".utf8)),
            entry(b + 5 * second, bootB, 10_000_000, unit("sshd.service", "sshd", 6, pid: 222), message: Array(escapedMessage.utf8)),
            entry(b + 10 * second, bootB, 15_000_000, unit("postgresql.service", "postgres", 4, pid: 333) + [("CODE_FILE", "xlog.c")],
                  message: Array("checkpoint starting".utf8)),
            entry(b + 15 * second, bootB, 20_000_000, unit("cron.service", "CRON", 6, pid: 444), message: Array(longMessage.utf8)),
            entry(b + 20 * second, bootB, 25_000_000,
                  unit("docker.service", "dockerd", 6, pid: 555) + [("CONTAINER_NAME", "runner-7"), ("CONTAINER_ID", "fedcba987654")],
                  message: Array("runner job done".utf8)),
            // systemd's own lines about units: `journalctl -u nginx` shows the first.
            entry(b + 25 * second, bootB, 30_000_000, unit("init.scope", "systemd", 3, pid: 1) + [("_UID", "0"), ("UNIT", "nginx.service")],
                  message: Array("nginx.service: Failed with result 'exit-code'.".utf8)),
            entry(b + 30 * second, bootB, 35_000_000, unit("init.scope", "systemd", 6, pid: 1) + [("_UID", "0"), ("UNIT", "sshd.service")],
                  message: Array("Started sshd.service - OpenSSH server.".utf8)),
        ]
        try write(rotated, to: directory.appendingPathComponent("system@00000000000000000000000000000001-0000000000000001-0000000000000001.journal"))
        try write(current, to: directory.appendingPathComponent("system.journal"))
        return JournalFixture(directory: directory, entries: rotated + current, cutoff: now - 3600 * second)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Journal Export Format: `NAME=value` lines, a binary value as `NAME`, a 64-bit little-endian
    /// length, the bytes and a newline; a blank line ends an entry.
    static func exportFormat(_ entries: [Entry]) -> Data {
        var out = Data()
        for entry in entries {
            out += Data("__REALTIME_TIMESTAMP=\(entry.realtime)\n__MONOTONIC_TIMESTAMP=\(entry.monotonic)\n_BOOT_ID=\(entry.boot)\n".utf8)
            for field in entry.fields {
                let plain = String(validating: field.value, as: UTF8.self) != nil && !field.value.contains(0x0A)
                if plain {
                    out += Data(field.name.utf8) + Data([0x3D]) + Data(field.value) + Data([0x0A])
                } else {
                    var length = UInt64(field.value.count).littleEndian
                    out += Data(field.name.utf8) + Data([0x0A]) + Data(bytes: &length, count: 8) + Data(field.value) + Data([0x0A])
                }
            }
            out += Data([0x0A])
        }
        return out
    }

    static var journalRemote: String {
        ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"]
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/lib/systemd/systemd-journal-remote"
    }

    /// systemd-journal-remote reads export format on stdin; the output name must end in .journal.
    private static func write(_ entries: [Entry], to file: URL) throws {
        let (status, _, said) = try runCapturing(journalRemote, ["--output=\(file.path)", "-"], input: exportFormat(entries))
        guard status == 0 else {
            throw FixtureError(message: "systemd-journal-remote failed: \(String(decoding: said, as: UTF8.self))")
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
