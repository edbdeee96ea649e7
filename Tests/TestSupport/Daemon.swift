import Foundation

/// A long-running helper process (a stand-in server, or our own backend) started with posix_spawn.
/// Foundation's Process blocks its monitor thread in wait4 on a live child, which stalls every
/// other Process in the test run, so long-lived children do not use it.
public final class Daemon: @unchecked Sendable {
    public let pid: pid_t
    private var exited: Int32?

    /// `stdout`/`stderr`: files to capture into; /dev/null when nil. `environment` replaces the
    /// inherited one when given.
    public init(_ arguments: [String], stdout: String? = nil, stderr: String? = nil, environment: [String: String]? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        let rc: Int32
        if let envp {
            rc = envp.withUnsafeBufferPointer { posix_spawnp(&pid, arguments[0], &actions, nil, argv, $0.baseAddress) }
        } else {
            rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        self.pid = pid
    }

    /// Kills the process outright; what tests do to stand-ins when they are done.
    public func stop() {
        guard exited == nil else { return }
        kill(pid, SIGKILL)
        _ = waitForExit(timeout: 10)
    }

    /// Sends `signal` and waits up to `timeout` seconds; the exit status, or nil if it did not end.
    /// It sleeps between looks instead of blocking a thread of the cooperative pool.
    public func terminate(signal: Int32 = SIGTERM, timeout: TimeInterval) async -> Int32? {
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = reap() { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// For `stop`, which must be synchronous (deinit); SIGKILL ends a process at once.
    private func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = reap() { return status }
            usleep(20_000)
        }
        return nil
    }

    /// The exit status once the process has ended, without waiting.
    private func reap() -> Int32? {
        if let exited { return exited }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exited
    }

    deinit { stop() }
}
