#if canImport(Glibc)
import Glibc
#endif

/// The bearer token read from a file (`--token-file`, `METRICS_TOKEN_FILE`, `token_file`): a
/// token on a command line is visible to every user in `ps`.
enum TokenFile {
    /// `source` names where the path came from, for the one-line error. The token is never shown.
    static func read(_ path: String, source: String) throws(SettingsError) -> String {
        let text: String
        do { text = try FileReader.read(path, limit: 4096) } catch {
            throw SettingsError(message: "\(source): \(error.description)")
        }
        // An editor or `echo` leaves a trailing newline; the token itself has no whitespace.
        let token = String(text.reversed().drop { $0.isWhitespace }.reversed())
        guard !token.isEmpty else { throw SettingsError(message: "\(source): \(path) is empty; put the token from `metrics-backend token create` in it") }
        let checked = try SenderSettings.checkToken(token, source: "the token in \(path) (\(source))")
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o044 != 0 {
            StandardStreams.warn("\(source): \(path) is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        return checked
    }
}
