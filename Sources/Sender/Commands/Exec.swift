import ArgumentParser
import Shared
#if canImport(Glibc)
import Glibc
#endif

/// `metrics-sender exec NAME [--every D] [--grace D] -- CMD ARGS...`: runs a job between a start
/// and a finish heartbeat. The finish carries the exit code, the duration and the last 10 kB of
/// output; `exec` exits with the job's own code, so cron and scripts see what they would have.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a job and report its start, its end, its exit code, duration and output.",
        discussion: "Exits with the job's exit code (127 when it cannot be started). A failed delivery is a warning, never the job's failure.")

    @Argument(help: "The heartbeat's name, e.g. backup-db.")
    var name: String
    @Option(help: "How often the job runs, e.g. 1d. An alert comes when it has not finished by every + grace.")
    var every: String?
    @Option(help: "How long the job may run (and how late it may be) before it alerts, e.g. 1h.")
    var grace: String?
    @OptionGroup var options: CommonOptions
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    /// Output kept for the finish heartbeat.
    static let outputLimit = 10 * 1024

    func run() throws {
        let settings: SenderSettings
        let everySeconds: Int?
        let graceSeconds: Int?
        do {
            settings = try options.resolve()
            _ = try SenderSettings.checkName(name, source: "NAME")
            everySeconds = try every.map { text throws(SettingsError) in try SenderSettings.checkSpan(text, source: "--every") }?.seconds
            graceSeconds = try grace.map { text throws(SettingsError) in try SenderSettings.checkSpan(text, source: "--grace") }?.seconds
            _ = try settings.requireURL()
        } catch { throw SenderFailure(error) }
        guard !command.isEmpty else { throw SenderFailure(status: .badSettings, message: "give the command after --, e.g. exec backup -- /usr/local/bin/backup") }

        send(Observation(name: name, kind: .heartbeat, status: ObservationStatus.start, every: everySeconds, grace: graceSeconds), settings: settings)
        let started = ContinuousClock.now
        let result = JobRun.run(command, keepLast: Self.outputLimit)
        let took = (ContinuousClock.now - started).components
        let seconds = Double(took.seconds) + Double(took.attoseconds) / 1e18
        var details: [String: JSONValue] = ["exitCode": .number(Double(result.exitCode)), "output": .string(result.output)]
        if let problem = result.startError { details["startError"] = .string(problem) }
        let failed = result.exitCode != 0
        let reason = String((result.startError ?? "exit code \(result.exitCode)").prefix(500))
        send(Observation(
            name: name, kind: .heartbeat, value: (seconds * 1000).rounded() / 1000, unit: "s",
            status: failed ? ObservationStatus.fail : ObservationStatus.ok, error: failed ? reason : nil,
            every: everySeconds, grace: graceSeconds, details: details), settings: settings)
        Glibc.exit(result.exitCode)
    }

    /// A heartbeat that cannot be delivered is a warning: the job's result must not change.
    private func send(_ observation: Observation, settings: SenderSettings) {
        let report = ReportBuilder.heartbeat(settings: settings, observation: observation)
        do { try ReportDelivery.send(report, settings: settings) } catch {
            let line = Array("metrics-sender: warning: the \(observation.status ?? "") heartbeat was not delivered: \(error.message)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }
}

/// Runs a command with its output passed through, keeping the last bytes of both streams. Plain
/// posix_spawn and poll: Foundation's Process would link all of Foundation into the sender.
enum JobRun {
    struct Result {
        var exitCode: Int32
        var output: String
        var startError: String?
    }

    static func run(_ command: [String], keepLast limit: Int) -> Result {
        // A reader of our output that goes away must not kill us before the finish heartbeat.
        signal(SIGPIPE, SIG_IGN)
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            return Result(exitCode: 127, output: "", startError: "no pipe for the job's output: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, command[0], &actions, nil, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            return Result(exitCode: 127, output: "", startError: "\(command[0]) could not be started: \(String(cString: strerror(spawned)))")
        }
        var tail: [UInt8] = []
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count <= 0 {
                    if count < 0 && errno == EINTR { continue }
                    close(fds[index].fd)
                    fds[index].fd = -1
                    open -= 1
                    continue
                }
                // Passed through to our own stdout or stderr, and kept.
                var written = 0
                while written < count {
                    let n = buffer.withUnsafeBytes { write(index == 0 ? 1 : 2, $0.baseAddress! + written, count - written) }
                    if n <= 0 { break }
                    written += n
                }
                tail.append(contentsOf: buffer[0..<count])
                if tail.count > limit * 2 { tail.removeFirst(tail.count - limit) }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS and the signal number, which Swift does not import as macros.
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(exitCode: code, output: String(decoding: tail.suffix(limit), as: UTF8.self), startError: nil)
    }
}
