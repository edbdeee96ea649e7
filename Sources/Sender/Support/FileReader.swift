#if canImport(Glibc)
import Glibc
#endif

/// Reads small kernel files (/proc, /sys) without Foundation: they report size 0, so read until EOF.
enum FileReader {
    static func read(_ path: String, limit: Int = 4 << 20) throws(FileError) -> String {
        String(decoding: try readBytes(path, limit: limit), as: UTF8.self)
    }

    /// The bytes as they are: a mount path need not be UTF-8.
    static func readBytes(_ path: String, limit: Int = 4 << 20) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// The file's contents, or nil when it does not exist or cannot be read.
    static func readIfPresent(_ path: String) -> String? {
        try? read(path)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

struct FileError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32

    var description: String {
        "cannot read \(path): \(String(cString: strerror(errno)))"
    }
}
