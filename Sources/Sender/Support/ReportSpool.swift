#if canImport(Glibc)
import Glibc
#endif

/// `$STATE_DIR/spool/`: reports the backend could not take (unreachable, 5xx, 429 after every
/// retry), one file each, sent again after the next run's report. Each carries its report id, so a
/// report the backend stored but could not acknowledge is recognised when it comes again.
/// Bounded: beyond `maxFiles` (a day of minutes) the oldest are dropped, with a warning. A report
/// the backend refused with 5xx in `maxTries` runs that delivered their own report is a poison
/// report: it goes to `failed/` (the newest `maxFailed` kept), so it never holds others back.
struct ReportSpool {
    var directory: String
    var maxFiles = 1440
    var maxTries = 5
    var maxFailed = 50

    var failedDirectory: String { directory + "/failed" }

    /// Names sort by time: the report's `sentAt` in seconds, zero-padded, then its id.
    static func name(sentAtSeconds: Int64, reportId: String) -> String {
        let seconds = String(max(0, sentAtSeconds))
        return String(repeating: "0", count: max(0, 12 - seconds.count)) + seconds + "-" + reportId.filter { $0.isLetter || $0.isNumber || $0 == "-" } + ".json"
    }

    /// The tries so far are part of the name (`STEM.3.json`), so a rename, which is atomic,
    /// records one more; a name without them (`STEM.json`) has none.
    static func tries(of name: String) -> (stem: Substring, tries: Int) {
        let stem = name.dropLast(".json".count)
        guard let dot = stem.lastIndex(of: "."), let tries = Int(stem[stem.index(after: dot)...]) else { return (stem, 0) }
        return (stem[..<dot], tries)
    }

    /// Records a refused try; the last allowed one moves the report to `failed/`, with one warning.
    func recordFailedTry(_ name: String, status: Int) {
        let (stem, tries) = Self.tries(of: name)
        guard tries + 1 >= maxTries else {
            _ = rename(directory + "/" + name, directory + "/\(stem).\(tries + 1).json")
            return
        }
        _ = mkdir(failedDirectory, 0o700)
        guard rename(directory + "/" + name, failedDirectory + "/\(stem).json") == 0 else {
            StandardStreams.warn("cannot move a kept report to \(failedDirectory): \(String(cString: strerror(errno))); dropped it")
            remove(name)
            return
        }
        let failed = Self.jsonFiles(in: failedDirectory)
        for old in failed.prefix(max(0, failed.count - maxFailed)) { _ = unlink(failedDirectory + "/" + old) }
        StandardStreams.warn("moved a kept report to \(failedDirectory)/\(stem).json: the backend refused it (HTTP \(status)) in \(maxTries) runs that delivered their own report")
    }

    /// The spooled reports, oldest first.
    func pending() -> [String] { Self.jsonFiles(in: directory) }

    private static func jsonFiles(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name.hasSuffix(".json") { names.append(name) }
        }
        return names.sorted()
    }

    func read(_ name: String) -> [UInt8]? {
        try? Array(FileReader.read(directory + "/" + name, limit: 64 << 20).utf8)
    }

    func remove(_ name: String) {
        _ = unlink(directory + "/" + name)
    }

    /// Writes atomically (temporary file, fsync, rename), then drops the oldest beyond `maxFiles`.
    func save(_ body: [UInt8], name: String) throws(SettingsError) {
        var built = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            built += "/" + part
            _ = mkdir(built, 0o700)
        }
        let path = directory + "/" + name, temporary = path + ".tmp"
        func failure(_ what: String) -> SettingsError {
            SettingsError(message: "cannot keep the report in \(directory): \(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open") }
        guard StandardStreams.write(body, to: fd), fsync(fd) == 0 else { let error = failure("write"); close(fd); throw error }
        guard close(fd) == 0, rename(temporary, path) == 0 else { throw failure("rename") }
        let all = pending()
        if all.count > maxFiles {
            for old in all.prefix(all.count - maxFiles) { remove(old) }
            StandardStreams.warn("the report spool holds more than \(maxFiles) reports; dropped the \(all.count - maxFiles) oldest")
        }
    }
}
