#if canImport(Glibc)
import Glibc
#endif

/// Runs a command and returns its stdout, killing it when it outlives the timeout
/// (`zpool` can hang on a sick pool as statvfs can on a sick mount). posix_spawn, no Foundation.
enum Subprocess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func output(_ path: String, _ arguments: [String], timeout seconds: Double, limit: Int = 1 << 20) throws(Failure) -> String {
        let (status, text) = try run(path, arguments, timeout: seconds, limit: limit)
        guard status == 0 else { throw Failure(description: "\(path) \(arguments.joined(separator: " ")) failed (status \(status))") }
        return text
    }

    /// The exit status and stdout, for commands whose status is a bit mask of findings (smartctl).
    /// `seconds` may be fractional: a collector's own timeout cut to the collection's deadline.
    static func run(_ path: String, _ arguments: [String], timeout seconds: Double, limit: Int = 1 << 20) throws(Failure) -> (status: Int32, output: String) {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        // The child gets the write end as its stdout; neither original end may leak into it.
        _ = fcntl(pipe[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipe[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(pipe[1])
        guard rc == 0 else {
            close(pipe[0])
            throw Failure(description: "cannot run \(path): \(String(cString: strerror(rc)))")
        }
        defer { close(pipe[0]) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        let deadline = Clock.now() + seconds
        var timedOut = false
        while bytes.count < limit {
            let left = deadline - Clock.now()
            var poller = pollfd(fd: pipe[0], events: Int16(POLLIN), revents: 0)
            // Rounded up, so a step cut to the deadline does not end a moment before it.
            let ready = left > 0 ? poll(&poller, 1, Int32((left * 1000).rounded(.up))) : 0
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { timedOut = true; break }
            let count = chunk.withUnsafeMutableBytes { read(pipe[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        var status: Int32 = 0
        if !timedOut && bytes.count >= limit {
            // Past the limit the child may block writing to the full pipe: end it, never wait on it.
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            throw Failure(description: "\(path) wrote more than \(limit) bytes")
        }
        if timedOut {
            kill(pid, SIGKILL)
            waitpid(pid, &status, WNOHANG)
            throw Failure(description: "\(path) did not finish within \(Clock.words(seconds))")
        }
        waitpid(pid, &status, 0)
        // The exit code of a normal exit; a signal shows as its number plus 128, as in a shell.
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (code, String(decoding: bytes, as: UTF8.self))
    }
}

