import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Which journal to read: this machine's, the files in a directory, or named files.
enum JournalSource: Sendable, Equatable {
    case local
    case directory(String)
    case files([String])
}

/// Why the journal could not be opened or read, in words a user can act on.
enum JournalOpenError: Error, CustomStringConvertible {
    /// libsystemd could not be loaded (the loader's message).
    case libraryMissing(String)
    /// There are no journal files.
    case noJournal(String)
    /// There are journal files, but this user may read none of them.
    case unreadable(String)
    case failed(String)

    var description: String {
        switch self {
        case .libraryMissing(let text), .noJournal(let text), .unreadable(let text), .failed(let text): return text
        }
    }
}

/// One open sd_journal through CSupport's dlopen loader. Not Sendable: a handle belongs to the
/// thread that opened it.
final class JournalReader {
    /// The csupport_journal (an sd_journal *). Used directly by the hot loop in JournalFields.
    let handle: OpaquePointer

    init(_ source: JournalSource) throws(JournalOpenError) {
        if let problem = csupport_journal_load() { throw .libraryMissing(String(cString: problem)) }
        var opened: OpaquePointer?
        let result: Int32
        switch source {
        case .local:
            result = csupport_journal_open_local(&opened)
        case .directory(let path):
            try Self.checkDirectory(path)
            result = csupport_journal_open_directory(&opened, path)
        case .files(let paths):
            for path in paths where access(path, R_OK) != 0 {
                throw .failed("--file \(path): \(String(cString: strerror(errno)))")
            }
            let copies = paths.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            var list: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
            result = list.withUnsafeMutableBufferPointer { csupport_journal_open_files(&opened, $0.baseAddress) }
        }
        guard result >= 0, let opened else {
            throw .failed("cannot open \(Self.describe(source)): \(String(cString: strerror(-result)))")
        }
        handle = opened
        // sd_journal cuts field values at 64 KiB by default; the whole message is wanted.
        _ = csupport_journal_set_data_threshold(handle, 0)
        var usage: UInt64 = 0
        if csupport_journal_get_usage(handle, &usage) >= 0, usage == 0 {
            throw Self.noFiles(source)
        }
    }

    deinit { csupport_journal_close(handle) }

    static func describe(_ source: JournalSource) -> String {
        switch source {
        case .local: return "the system journal"
        case .directory(let path): return "the journal in \(path)"
        case .files(let paths): return "the journal files \(paths.joined(separator: ", "))"
        }
    }

    private static func noFiles(_ source: JournalSource) -> JournalOpenError {
        switch source {
        case .local:
            // journald's directories hold files only this user may not read: a permission problem.
            let locations = ["/var/log/journal", "/run/log/journal"]
            if geteuid() != 0, locations.contains(where: hasEntries) {
                return .unreadable("cannot read the system journal; run as root or in the systemd-journal group")
            }
            return .noJournal("this system has no journal files (in /var/log/journal or /run/log/journal)")
        case .directory(let path): return .noJournal("--directory \(path) holds no journal files (*.journal)")
        case .files(let paths): return .noJournal("no journal could be read from \(paths.joined(separator: ", "))")
        }
    }

    private static func hasEntries(_ path: String) -> Bool {
        guard let directory = opendir(path) else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { return true }
        }
        return false
    }

    private static func checkDirectory(_ path: String) throws(JournalOpenError) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, access(path, R_OK | X_OK) == 0 else {
            throw .failed("--directory \(path) is not a readable directory")
        }
    }

    /// `FIELD=value`; same-field matches are ORed, different fields ANDed.
    func addMatch(_ text: String) throws(JournalOpenError) {
        let result = text.utf8CString.withUnsafeBufferPointer { csupport_journal_add_match(handle, $0.baseAddress, $0.count - 1) }
        guard result >= 0 else { throw .failed("journal match '\(text)': \(String(cString: strerror(-result)))") }
    }

    func addConjunction() { _ = csupport_journal_add_conjunction(handle) }

    func addDisjunction() { _ = csupport_journal_add_disjunction(handle) }

    /// 1: moved to the next entry; 0: at the end; negative: an errno.
    func next() -> Int32 { csupport_journal_next(handle) }

    func seek(realtime usec: UInt64) { _ = csupport_journal_seek_realtime_usec(handle, usec) }

    /// False when libsystemd refuses the text as a cursor.
    func seek(cursor: String) -> Bool { csupport_journal_seek_cursor(handle, cursor) >= 0 }

    /// Whether the current entry is the one `cursor` names.
    func isAt(cursor: String) -> Bool { csupport_journal_test_cursor(handle, cursor) > 0 }

    func realtime() -> UInt64? {
        var usec: UInt64 = 0
        return csupport_journal_get_realtime_usec(handle, &usec) >= 0 ? usec : nil
    }

    /// Replaces `bytes` with the current entry's cursor; false when there is no current entry.
    /// The buffer is reused, so this allocates nothing but libsystemd's own string.
    func cursor(into bytes: inout [UInt8]) -> Bool {
        var text: UnsafeMutablePointer<CChar>?
        guard csupport_journal_get_cursor(handle, &text) >= 0, let text else { return false }
        defer { free(text) }
        bytes.removeAll(keepingCapacity: true)
        text.withMemoryRebound(to: UInt8.self, capacity: strlen(text)) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: strlen(text)))
        }
        return true
    }
}
