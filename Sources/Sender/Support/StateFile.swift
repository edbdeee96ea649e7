#if canImport(Glibc)
import Glibc
#endif

/// What a state file holds, as text.
protocol StateText {
    var stateText: String { get }
    init?(stateText: String)
}

/// A collector's memory between runs, `STATE_DIR/NAME` (counters to take deltas from).
/// Losing it costs one run without a delta, so it is written without fsync.
struct StateFile<Value: StateText> {
    var directory: String
    var name: String
    var path: String { directory + "/" + name }

    /// A state file is small; a larger one is not ours.
    static var limit: Int { 256 << 10 }

    /// nil when missing, too large or not what this collector wrote.
    func load() -> Value? {
        guard let bytes = try? FileReader.readBytes(path, limit: Self.limit + 1), bytes.count <= Self.limit else { return nil }
        return Value(stateText: String(decoding: bytes, as: UTF8.self))
    }

    /// Writes atomically (temporary file, rename); nil on success, else what went wrong.
    func save(_ value: Value) -> String? {
        let encoded = Array(value.stateText.utf8)
        var built = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0 && errno != EEXIST { return failure("cannot create the state directory \(directory)") }
        }
        // Per process: two runs at once (a timer run and a dry run) must not write one temporary file.
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return failure("cannot write \(temporary)") }
        let written = StandardStreams.write(encoded, to: fd)
        let closed = close(fd) == 0
        guard written, closed else { return failure("cannot write \(temporary)") }
        guard rename(temporary, path) == 0 else { return failure("cannot rename \(temporary)") }
        return nil
    }

    private func failure(_ what: String) -> String {
        "\(what): \(String(cString: strerror(errno))); check --state-dir"
    }
}
