#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to stdout and stderr. `journal --dry-run` writes whole batches at once,
/// and a warning must reach the log even when the run ends right after it.
enum StandardStreams {
    /// False when the descriptor is closed or the reader went away.
    @discardableResult
    static func write(_ bytes: [UInt8], to fd: Int32 = STDOUT_FILENO) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard var next = buffer.baseAddress else { return true }
            var left = buffer.count
            while left > 0 {
                let count = Glibc.write(fd, next, left)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                next += count
                left -= count
            }
            return true
        }
    }

    /// One line on stderr, prefixed like every other message of the sender.
    static func warn(_ message: String) {
        write(Array("metrics-sender: \(message)\n".utf8), to: STDERR_FILENO)
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
