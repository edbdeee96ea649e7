#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on the state directory, held until the process ends. Two runs at once
/// (a slow run and the next timer run, or a run and a manual `journal`) would each save their
/// own cursor, and the older one could land last and move the cursor back.
enum StateLock {
    enum Outcome { case held, busy }

    static func take(directory: String) throws(SettingsError) -> Outcome {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SettingsError(message: "cannot open the state directory \(directory) to lock it: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            if busy { return .busy }
            throw SettingsError(message: "cannot lock the state directory \(directory): \(reason)")
        }
        // Never closed: the lock is released when the process exits, however it exits.
        return .held
    }
}
