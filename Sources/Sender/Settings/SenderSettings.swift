#if canImport(Glibc)
import Glibc
#endif
import Shared

/// A setting that cannot work, said in one line that tells what to fix. Exit code 2.
struct SettingsError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Everything a sender run needs to know. Resolved from flags, then the environment
/// (`METRICS_*`), then the config file, then these defaults.
struct SenderSettings: Sendable {
    static let version = "0.1.0"
    static let defaultConfigPath = "/etc/metrics-sender.toml"
    static let defaultCollectors = ["memory", "disk", "raid", "container", "zpool", "load", "cpu", "net", "unit", "cert", "smart"]

    var url: String?
    var token: String? { didSet { if token != nil { tokenFile = nil } } }
    /// A token file that the winning source named, read once every source is applied, so a
    /// file a higher source overrides is never opened. `source` names it in errors.
    var tokenFile: (path: String, source: String)? { didSet { if tokenFile != nil { token = nil } } }
    var host = ""
    /// Sent with every report (`HostTags`); an empty list clears the backend's.
    var tags: [String] = []
    var stateDir = "/var/lib/metrics-sender"
    var timeout = TimeSpan(seconds: 10)
    /// nil: the default set, each skipping quietly when its source is absent.
    var collectors: [String]?
    var root = "/"
    var disk = DiskFilter()
    var statTimeout = TimeSpan(seconds: 2)
    var excludeContainers: [String] = []
    var dockerSocket = "/var/run/docker.sock"
    /// The zpool binary; nil: found in /usr/sbin, /sbin or /usr/bin when ZFS is installed.
    var zpoolCommand: String?
    var journal = JournalSettings()
    /// `run` ends within this, retries and journal included, so a one-minute timer's runs never overlap.
    var runLimit = TimeSpan(seconds: 50)
    /// Collection ends within half the run limit, so the report has the other half to go out.
    var collectionLimit: Double { Double(runLimit.seconds) / 2 }
    /// Set by `run`: monotonic seconds (`Clock`) by which every request has ended.
    var runEnd: Double?
    static let runLimitRange = 5...3600
    /// Interfaces the net collector reports (globs); empty: every one that is not loopback or virtual.
    var netInclude: [String] = []
    var netExclude: [String] = []
    /// Certificates to watch: file globs, and `host:port` of TLS servers.
    var tlsFiles: [String] = []
    var tlsEndpoints: [String] = []
    /// The systemctl and smartctl binaries; nil: found where they install.
    var systemctlCommand: String?
    var smartctlCommand: String?
    var smartEvery = TimeSpan(seconds: 1800)

    /// How long retries may go on: four timeouts, and never past 40 s so a one-minute timer run
    /// ends before the next one starts.
    var retryBudget: TimeSpan { TimeSpan(seconds: min(40, 4 * timeout.seconds)) }

    static func checkRunLimit(_ text: String, source: String) throws(SettingsError) -> TimeSpan {
        let span = try checkSpan(text, source: source)
        guard runLimitRange.contains(span.seconds) else { throw SettingsError(message: "\(source) must be from 5s to 1h") }
        return span
    }

    /// A client for the backend: each attempt ends by the run's end, when `run` set one.
    func backendClient(url: String) -> BackendClient {
        BackendClient(baseURL: url, token: token, timeout: timeout, retryBudget: retryBudget, deadline: runEnd)
    }

    /// The backend URL, required for anything that sends.
    func requireURL() throws(SettingsError) -> String {
        guard let url else {
            throw SettingsError(message: "no backend URL: set METRICS_URL, --url, or url in \(Self.defaultConfigPath)")
        }
        return url
    }

    static func checkURL(_ text: String, source: String) throws(SettingsError) -> String {
        let bad = SettingsError(message: "\(source) '\(text)' is not a valid URL; write it like https://metrics.example.com")
        let lower = text.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lower.hasPrefix($0) }) else { throw bad }
        guard !text.contains(where: { $0.isWhitespace || ($0.asciiValue ?? 32) < 32 }) else { throw bad }
        let authority = text.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        // The port follows the last colon, unless that colon is inside an IPv6 literal.
        let hostAndPort = authority.split(separator: "@").last ?? authority
        var hostPart = hostAndPort
        if let colon = hostAndPort.lastIndex(of: ":"), !hostAndPort[colon...].contains("]") {
            let port = hostAndPort[hostAndPort.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else {
                throw SettingsError(message: "\(source) '\(text)' has a bad port '\(port)'")
            }
            hostPart = hostAndPort[..<colon]
        }
        guard !hostPart.isEmpty else { throw bad }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func checkToken(_ text: String, source: String) throws(SettingsError) -> String {
        // A token goes into an HTTP header: anything that could break the header is refused.
        guard !text.isEmpty, text.utf8.count <= 512, text.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw SettingsError(message: "\(source) must be printable ASCII without spaces, as `metrics-backend token create` prints it")
        }
        return text
    }

    static func checkName(_ text: String, source: String) throws(SettingsError) -> String {
        do { try Names.check(text, field: source, maxLength: ReportLimits.standard.maxNameLength) } catch {
            throw SettingsError(message: "\(source) \(error.message)")
        }
        return text
    }

    static func checkSpan(_ text: String, source: String) throws(SettingsError) -> TimeSpan {
        do { return try TimeSpan(parsing: text) } catch { throw SettingsError(message: "\(source): \(error.description)") }
    }

    static func checkCollectors(_ names: [String], source: String) throws(SettingsError) -> [String] {
        for name in names where !defaultCollectors.contains(name) {
            throw SettingsError(message: "\(source): unknown collector '\(name)'; known: \(defaultCollectors.joined(separator: ", "))")
        }
        return names
    }

    /// `host:port` or `[v6]:port`: what TLS endpoints may be, so nothing else reaches libcurl's URL.
    static func checkEndpoint(_ text: String, source: String) throws(SettingsError) -> String {
        let bad = SettingsError(message: "\(source) '\(text.prefix(100))' is not host:port, e.g. example.com:443")
        guard text.utf8.count <= 255, let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { throw bad }
        let host = text[..<colon]
        let allowed = host.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
        }
        guard !host.isEmpty, allowed else { throw bad }
        return text
    }

    /// This machine's name, as the kernel knows it.
    static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
