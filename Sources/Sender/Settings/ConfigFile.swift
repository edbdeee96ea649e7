/// Applies a TOML settings file (`/etc/metrics-sender.toml` or `--config FILE`).
/// Unknown keys are errors: a typo must not silently fall back to a default.
enum ConfigFile {
    static let example = """
        url = "https://metrics.example.com"
        token = "mt_..."
        host = "web-1"
        state_dir = "/var/lib/metrics-sender"
        timeout = "10s"
        collectors = ["memory", "disk", "raid", "container"]

        [disk]
        exclude_mounts = ["/var/lib/docker/*"]
        exclude_fs_types = ["nfs*"]
        stat_timeout = "2s"

        [container]
        exclude = ["runner-"]
        socket = "/var/run/docker.sock"
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
            case "host": settings.host = try SenderSettings.checkName(try string(value, source), source: source)
            case "state_dir": settings.stateDir = try string(value, source)
            case "timeout": settings.timeout = try SenderSettings.checkSpan(try string(value, source), source: source)
            case "collectors": settings.collectors = try SenderSettings.checkCollectors(try strings(value, source), source: source)
            case "disk.include_mounts": settings.disk.includeMounts = try strings(value, source)
            case "disk.exclude_mounts": settings.disk.excludeMounts = try strings(value, source)
            case "disk.include_fs_types": settings.disk.includeFsTypes = try strings(value, source)
            case "disk.exclude_fs_types": settings.disk.excludeFsTypes = try strings(value, source)
            case "disk.stat_timeout": settings.statTimeout = try SenderSettings.checkSpan(try string(value, source), source: source)
            case "container.exclude": settings.excludeContainers = try strings(value, source)
            case "container.socket": settings.dockerSocket = try string(value, source)
            case "zpool.command": settings.zpoolCommand = try string(value, source)
            default:
                throw SettingsError(message: "config file \(path): unknown setting '\(key)'; see `metrics-sender --help`")
            }
        }
    }

    private static func string(_ value: TOMLValue, _ source: String) throws(SettingsError) -> String {
        guard case .string(let text) = value else { throw SettingsError(message: "\(source) must be a string, not \(value.typeName)") }
        return text
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
