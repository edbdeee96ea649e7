import Shared

/// Applies a TOML settings file (`/etc/metrics-sender.toml` or `--config FILE`).
/// Unknown keys are errors: a typo must not silently fall back to a default.
enum ConfigFile {
    static let example = """
        url = "https://metrics.example.com"
        token = "mt_..."
        host = "web-1"
        tags = ["web", "eu"]
        state_dir = "/var/lib/metrics-sender"
        timeout = "10s"
        run_limit = "50s"
        collectors = ["memory", "disk", "raid", "container"]

        [disk]
        exclude_mounts = ["/var/lib/docker/*"]
        exclude_fs_types = ["nfs*"]
        stat_timeout = "2s"

        [container]
        exclude = ["runner-"]
        socket = "/var/run/docker.sock"

        [net]
        exclude = ["wg*"]

        [tls]
        files = ["/etc/letsencrypt/live/*/fullchain.pem"]
        endpoints = ["example.com:443"]

        [smart]
        every = "30m"

        [journal]
        enabled = true
        exclude_units = ["cron.service"]
        max_priority = "info"
        fields = ["_COMM"]
        start = "10m"
        """

    static func apply(path: String, to settings: inout SenderSettings) throws(SettingsError) {
        let text: String
        do { text = try FileReader.read(path, limit: 1 << 20) } catch {
            throw SettingsError(message: "config file \(error.description)")
        }
        let values: [String: TOMLValue]
        do { values = try TOML.parse(text) } catch { throw SettingsError(message: "config file \(path) \(error.description)") }
        for key in values.keys.sorted() {
            guard let value = values[key] else { continue }
            let source = "\(key) in \(path)"
            switch key {
            case "url": settings.url = try SenderSettings.checkURL(try string(value, source), source: source)
            case "token": settings.token = try SenderSettings.checkToken(try string(value, source), source: source)
            case "token_file":
                // Sorted keys: `token` came first.
                guard values["token"] == nil else { throw SettingsError(message: "config file \(path): token and token_file both set; set one") }
                settings.tokenFile = (try string(value, source), source)
            case "host": settings.host = try SenderSettings.checkName(try string(value, source), source: source)
            case "tags":
                settings.tags = try strings(value, source)
                do { try HostTags.check(settings.tags, field: "tags") } catch { throw SettingsError(message: "config file \(path): \(error.description)") }
            case "state_dir": settings.stateDir = try string(value, source)
            case "timeout": settings.timeout = try SenderSettings.checkSpan(try string(value, source), source: source)
            case "run_limit": settings.runLimit = try SenderSettings.checkRunLimit(try string(value, source), source: source)
            case "collectors": settings.collectors = try SenderSettings.checkCollectors(try strings(value, source), source: source)
            case "disk.include_mounts": settings.disk.includeMounts = try strings(value, source)
            case "disk.exclude_mounts": settings.disk.excludeMounts = try strings(value, source)
            case "disk.include_fs_types": settings.disk.includeFsTypes = try strings(value, source)
            case "disk.exclude_fs_types": settings.disk.excludeFsTypes = try strings(value, source)
            case "disk.stat_timeout": settings.statTimeout = try SenderSettings.checkSpan(try string(value, source), source: source)
            case "container.exclude": settings.excludeContainers = try strings(value, source)
            case "container.socket": settings.dockerSocket = try string(value, source)
            case "zpool.command": settings.zpoolCommand = try string(value, source)
            case "net.include": settings.netInclude = try strings(value, source)
            case "net.exclude": settings.netExclude = try strings(value, source)
            case "tls.files": settings.tlsFiles = try bounded(try strings(value, source), source)
            case "tls.endpoints":
                settings.tlsEndpoints = try bounded(try strings(value, source), source).map { text throws(SettingsError) in try SenderSettings.checkEndpoint(text, source: source) }
            case "unit.systemctl": settings.systemctlCommand = try string(value, source)
            case "smart.command": settings.smartctlCommand = try string(value, source)
            case "smart.every": settings.smartEvery = try SenderSettings.checkSpan(try string(value, source), source: source)
            case "journal.enabled": settings.journal.enabled = try bool(value, source)
            case "journal.units":
                settings.journal.units = try strings(value, source).map { text throws(SettingsError) in try JournalSettings.checkUnit(text, source: source) }
            case "journal.exclude_units":
                settings.journal.excludeUnits = try strings(value, source).map { text throws(SettingsError) in try JournalSettings.checkUnit(text, source: source) }
            case "journal.identifiers":
                settings.journal.identifiers = try strings(value, source).map { text throws(SettingsError) in try JournalSettings.checkIdentifier(text, source: source) }
            case "journal.max_priority":
                // 3 or "err", as journalctl -p takes it.
                if case .integer(let number) = value {
                    settings.journal.maxPriority = try JournalSettings.checkPriority(String(number), source: source)
                } else {
                    settings.journal.maxPriority = try JournalSettings.checkPriority(try string(value, source), source: source)
                }
            case "journal.fields": settings.journal.fields = try JournalSettings.checkFields(try strings(value, source), source: source)
            case "journal.start": settings.journal.start = try SenderSettings.checkSpan(try string(value, source), source: source)
            case "journal.batch_entries":
                settings.journal.batchEntries = try JournalSettings.checkCount(try integer(value, source), in: JournalSettings.batchEntriesRange, source: source)
            case "journal.batch_bytes":
                settings.journal.batchBytes = try JournalSettings.checkCount(try integer(value, source), in: JournalSettings.batchBytesRange, source: source)
            case "journal.in_flight":
                settings.journal.inFlight = try JournalSettings.checkCount(try integer(value, source), in: JournalSettings.inFlightRange, source: source)
            case "journal.max_run": settings.journal.maxRun = try JournalSettings.checkPositiveSpan(try string(value, source), source: source)
            case "journal.max_entries":
                settings.journal.maxEntries = try JournalSettings.checkCount(try integer(value, source), in: 1...Int(Int32.max), source: source)
            default:
                throw SettingsError(message: "config file \(path): unknown setting '\(key)'; see `metrics-sender --help`")
            }
        }
    }

    /// Each entry a check or more: a list longer than the certificate collector reports is a mistake.
    private static func bounded(_ items: [String], _ source: String) throws(SettingsError) -> [String] {
        guard items.count <= CertCollector.maxTargets else { throw SettingsError(message: "\(source) lists \(items.count) entries; at most \(CertCollector.maxTargets)") }
        return items
    }

    private static func string(_ value: TOMLValue, _ source: String) throws(SettingsError) -> String {
        guard case .string(let text) = value else { throw SettingsError(message: "\(source) must be a string, not \(value.typeName)") }
        return text
    }

    private static func integer(_ value: TOMLValue, _ source: String) throws(SettingsError) -> Int {
        guard case .integer(let number) = value else { throw SettingsError(message: "\(source) must be an integer, not \(value.typeName)") }
        return number
    }

    private static func bool(_ value: TOMLValue, _ source: String) throws(SettingsError) -> Bool {
        guard case .bool(let flag) = value else { throw SettingsError(message: "\(source) must be true or false, not \(value.typeName)") }
        return flag
    }

    private static func strings(_ value: TOMLValue, _ source: String) throws(SettingsError) -> [String] {
        guard case .array(let items) = value else { throw SettingsError(message: "\(source) must be an array of strings") }
        var result: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw SettingsError(message: "\(source) must be an array of strings") }
            result.append(text)
        }
        return result
    }
}
