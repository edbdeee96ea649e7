import ArgumentParser
import Foundation
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
        let report = ReportBuilder.report(settings: settings, observations: [observation])
        do { try ReportBuilder.send(report, settings: settings) } catch {
            let line = Array("metrics-sender: warning: the \(observation.status ?? "") heartbeat was not delivered: \(error.message)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }
}

/// Runs a command with its output passed through, keeping the last bytes of both streams.
enum JobRun {
    struct Result {
        var exitCode: Int32
        var output: String
        var startError: String?
    }

    static func run(_ command: [String], keepLast limit: Int) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.standardInput
        let tail = OutputTail(limit: limit)
        let group = DispatchGroup()
        for (pipe, target) in [(out, FileHandle.standardOutput), (err, FileHandle.standardError)] {
            group.enter()
            Thread.detachNewThread {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    target.write(chunk)
                    tail.append(chunk)
                }
                group.leave()
            }
        }
        do { try process.run() } catch {
            try? out.fileHandleForWriting.close()
            try? err.fileHandleForWriting.close()
            group.wait()
            return Result(exitCode: 127, output: "", startError: "\(command[0]) could not be started: \(error.localizedDescription)")
        }
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        // env says 127 when the command is not found: the job did not run.
        return Result(exitCode: code, output: tail.text, startError: code == 127 && tail.text.contains("No such file") ? "\(command[0]): command not found" : nil)
    }
}

/// The last `limit` bytes written to it, from two threads.
final class OutputTail: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        bytes.append(contentsOf: data)
        if bytes.count > limit * 2 { bytes.removeFirst(bytes.count - limit) }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes.suffix(limit), as: UTF8.self)
    }
}
