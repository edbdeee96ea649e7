#if canImport(Glibc)
import Glibc
#endif

/// `$STATE_DIR/journal.cursor`: one line, the cursor of the last entry read before the last
/// batch the backend acknowledged. Written atomically (temporary file, fsync, rename, fsync of
/// the directory), so a crash leaves either the old cursor or the new one, never half of one.
struct CursorFile {
    var directory: String
    var path: String { directory + "/journal.cursor" }

    /// A cursor is short printable ASCII; anything else in the file is not one.
    static let maxLength = 4096

    enum Content: Equatable {
        case none
        case cursor(String)
        /// The file holds something that is not a cursor.
        case damaged
    }

    func read() throws(SettingsError) -> Content {
        let text: String
        do { text = try FileReader.read(path, limit: Self.maxLength + 2) } catch {
            if error.errno == ENOENT { return .none }
            throw SettingsError(message: "cannot read the journal cursor: \(error.description)")
        }
        let line = text.prefix { $0 != "\n" }
        guard !line.isEmpty, line.utf8.count <= Self.maxLength, line.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return .damaged }
        return .cursor(String(line))
    }

    /// Creates the state directory (0700) when missing, and checks that a cursor can be written
    /// there, before anything is sent.
    func prepare() throws(SettingsError) {
        var built = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0 && errno != EEXIST {
                throw SettingsError(message: "cannot create the state directory \(directory): \(String(cString: strerror(errno))); check --state-dir")
            }
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw SettingsError(message: "the state directory \(directory) is not writable: \(String(cString: strerror(errno))); check --state-dir")
        }
    }

    func save(_ cursor: [UInt8]) throws(SettingsError) {
        let temporary = path + ".tmp"
        func failure(_ what: String) -> SettingsError {
            SettingsError(message: "cannot save the journal cursor: \(what) \(temporary): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open") }
        let line = cursor + [0x0A]
        guard StandardStreams.write(line, to: fd) else { let error = failure("write"); close(fd); throw error }
        guard fsync(fd) == 0 else { let error = failure("fsync"); close(fd); throw error }
        guard close(fd) == 0 else { throw failure("close") }
        guard rename(temporary, path) == 0 else { throw failure("rename") }
        // The rename is durable only once the directory is.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The `t=` part of a cursor: the entry's wall-clock time, microseconds, hex.
    static func realtime(of cursor: String) -> UInt64? {
        for part in cursor.split(separator: ";") where part.hasPrefix("t=") {
            return UInt64(part.dropFirst(2), radix: 16)
        }
        return nil
    }
}
