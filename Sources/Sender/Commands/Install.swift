import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Shared

/// `metrics-sender install`: writes `metrics-sender.service` and `metrics-sender.timer` (every
/// minute, with a random delay so a fleet does not report in the same second) and says how to
/// enable them. Settings stay in /etc/metrics-sender.toml, which the service reads.
struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the systemd service and timer that run `metrics-sender run` every minute.")

    @Option(help: "Where to write the units.")
    var directory = "/etc/systemd/system"
    @Option(help: "The metrics-sender binary the service runs (default: this one).")
    var binary: String?
    @Option(help: "Random delay before each run, spreading a fleet's reports, e.g. 20s.")
    var randomDelay = "20s"
    @Option(help: "Let the service open /dev/zfs for the zpool check: auto (when /dev/zfs exists now), yes or no.")
    var zfs = "auto"
    @Flag(help: "Print the units instead of writing them.")
    var dryRun = false

    func run() throws {
        let delay: TimeSpan
        do { delay = try SenderSettings.checkSpan(randomDelay, source: "--random-delay") } catch { throw SenderFailure(error) }
        let executable = binary ?? Self.currentExecutable()
        guard executable.hasPrefix("/") else {
            throw SenderFailure(status: .badSettings, message: "--binary must be an absolute path, not '\(executable)'")
        }
        let openZFS: Bool
        switch zfs {
        case "auto": openZFS = FileManager.default.fileExists(atPath: "/dev/zfs")
        case "yes": openZFS = true
        case "no": openZFS = false
        default: throw SenderFailure(status: .badSettings, message: "--zfs must be auto, yes or no, not '\(zfs.prefix(40))'")
        }
        let units = [("metrics-sender.service", Self.service(binary: executable, zfs: openZFS)), ("metrics-sender.timer", Self.timer(randomDelay: delay.seconds))]
        if dryRun {
            for (name, text) in units { print("# \(name)\n\(text)") }
            return
        }
        for (name, text) in units {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            } catch {
                throw SenderFailure(status: .badSettings, message: "cannot write \(path): \(error); run as root, or pass --directory")
            }
            print("wrote \(path)")
        }
        print("""
            next: put url and token in \(SenderSettings.defaultConfigPath) (chmod 600), then
              systemctl daemon-reload && systemctl enable --now metrics-sender.timer
              systemctl list-timers metrics-sender.timer; journalctl -u metrics-sender.service
            """)
    }

    static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Root, because it reads the journal, every mount and docker.sock, but boxed in: a read-only
    /// system, its own state directory, no new privileges, only the network families it uses.
    /// Devices: only the pseudo devices (null, zero, random, tty …). On a ZFS host, `zpool list`
    /// must open /dev/zfs, which PrivateDevices=yes hides: there the host's /dev stays, but the
    /// device policy lets it open only /dev/zfs and the pseudo devices. Not on other hosts, where
    /// systemd would warn at every run that /dev/zfs is missing.
    static func service(binary: String, zfs: Bool) -> String {
        let devices = zfs ? "PrivateDevices=no\nDevicePolicy=closed\nDeviceAllow=/dev/zfs rw" : "PrivateDevices=yes"
        return """
        [Unit]
        Description=Measure this host and send the report and new journal entries to metrics-backend
        Documentation=man:systemd.timer(5)
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=oneshot
        ExecStart=\(binary) run
        Environment=METRICS_STATE_DIR=/var/lib/metrics-sender
        StateDirectory=metrics-sender
        StateDirectoryMode=0700
        TimeoutStartSec=110
        Nice=10
        IOSchedulingClass=idle
        ProtectSystem=strict
        ProtectHome=read-only
        PrivateTmp=yes
        \(devices)
        NoNewPrivileges=yes
        ProtectKernelModules=yes
        ProtectKernelLogs=yes
        ProtectControlGroups=yes
        ProtectClock=yes
        ProtectHostname=yes
        RestrictNamespaces=yes
        RestrictRealtime=yes
        RestrictSUIDSGID=yes
        LockPersonality=yes
        MemoryDenyWriteExecute=yes
        SystemCallArchitectures=native
        RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
        CapabilityBoundingSet=CAP_DAC_READ_SEARCH
        UMask=0077

        """
    }

    static func timer(randomDelay: Int) -> String {
        """
        [Unit]
        Description=Run metrics-sender every minute

        [Timer]
        OnCalendar=*-*-* *:*:00
        RandomizedDelaySec=\(randomDelay)
        AccuracySec=1s
        Unit=metrics-sender.service

        [Install]
        WantedBy=timers.target

        """
    }
}
