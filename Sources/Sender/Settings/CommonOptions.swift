import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Flags every command shares. Strings here; `resolve` turns them into checked settings so that
/// every mistake gets the same one-line message and exit code 2.
struct CommonOptions: ParsableArguments {
    @Option(help: "Settings file (default \(SenderSettings.defaultConfigPath) when it exists).")
    var config: String?
    @Option(help: "Backend URL (METRICS_URL).")
    var url: String?
    @Option(help: "Bearer token (METRICS_TOKEN); visible to other users in ps, so prefer --token-file.")
    var token: String?
    @Option(help: "Read the bearer token from this file (METRICS_TOKEN_FILE).")
    var tokenFile: String?
    @Option(help: "Host name to report as (METRICS_HOST; default: this machine's hostname).")
    var host: String?
    @Option(help: "Where the sender keeps its state (METRICS_STATE_DIR).")
    var stateDir: String?
    @Option(help: "HTTP timeout, e.g. 10s.")
    var timeout: String?
    @Option(help: "`run` ends within this, retries and journal included, e.g. 50s (5s to 1h).")
    var runLimit: String?
    @Option(help: "Read DIR/proc, DIR/sys and mounts under DIR instead of the live system.")
    var root: String?
    @Option(name: .customLong("collector"), help: "Collect only these (repeatable): memory, disk, raid, container, zpool, load, cpu, net, unit, cert, smart.")
    var collectors: [String] = []
    @Option(help: "Skip containers whose name starts with PREFIX (repeatable).")
    var excludeContainer: [String] = []
    @Option(help: "Report only mount points matching this glob (repeatable).")
    var includeMount: [String] = []
    @Option(help: "Skip mount points matching this glob (repeatable).")
    var excludeMount: [String] = []
    @Option(help: "Report only filesystem types matching this glob (repeatable).")
    var includeFsType: [String] = []
    @Option(help: "Skip filesystem types matching this glob (repeatable).")
    var excludeFsType: [String] = []
    @Option(help: "How long statvfs may take before a mount counts as stuck, e.g. 2s.")
    var statTimeout: String?
    @Option(help: "Docker Engine API socket.")
    var dockerSocket: String?
    @Option(help: "The zpool command (default: found where ZFS installs it).")
    var zpool: String?
    @Option(help: "The systemctl command (default: /usr/bin/systemctl where systemd is init).")
    var systemctl: String?
    @Option(help: "The smartctl command, 7.0 or later (default: found where smartmontools installs it).")
    var smartctl: String?
    @Option(help: "Watch the certificates in files matching this glob (repeatable).")
    var tlsFile: [String] = []
    @Option(help: "Watch the certificate of the TLS server at HOST:PORT (repeatable).")
    var tlsEndpoint: [String] = []

    func resolve() throws(SettingsError) -> SenderSettings {
        var settings = SenderSettings()
        if let config {
            try ConfigFile.apply(path: config, to: &settings)
        } else if access(SenderSettings.defaultConfigPath, F_OK) == 0 {
            try ConfigFile.apply(path: SenderSettings.defaultConfigPath, to: &settings)
        }
        if let value = Self.environment("METRICS_URL") { settings.url = try SenderSettings.checkURL(value, source: "METRICS_URL") }
        let tokenEnvironment = (Self.environment("METRICS_TOKEN"), Self.environment("METRICS_TOKEN_FILE"))
        if tokenEnvironment.0 != nil, tokenEnvironment.1 != nil {
            throw SettingsError(message: "both METRICS_TOKEN and METRICS_TOKEN_FILE are set; set one")
        }
        if let value = tokenEnvironment.0 { settings.token = try SenderSettings.checkToken(value, source: "METRICS_TOKEN") }
        if let path = tokenEnvironment.1 { settings.tokenFile = (path, "METRICS_TOKEN_FILE") }
        if let value = Self.environment("METRICS_HOST") { settings.host = try SenderSettings.checkName(value, source: "METRICS_HOST") }
        if let value = Self.environment("METRICS_STATE_DIR") { settings.stateDir = value }

        if let url { settings.url = try SenderSettings.checkURL(url, source: "--url") }
        if token != nil, tokenFile != nil { throw SettingsError(message: "--token and --token-file both given; give one") }
        if let token { settings.token = try SenderSettings.checkToken(token, source: "--token") }
        if let tokenFile { settings.tokenFile = (tokenFile, "--token-file") }
        if let file = settings.tokenFile { settings.token = try TokenFile.read(file.path, source: file.source) }
        if let host { settings.host = try SenderSettings.checkName(host, source: "--host") }
        if let stateDir { settings.stateDir = stateDir }
        if let timeout { settings.timeout = try SenderSettings.checkSpan(timeout, source: "--timeout") }
        if let runLimit { settings.runLimit = try SenderSettings.checkRunLimit(runLimit, source: "--run-limit") }
        if let statTimeout { settings.statTimeout = try SenderSettings.checkSpan(statTimeout, source: "--stat-timeout") }
        if let dockerSocket { settings.dockerSocket = dockerSocket }
        if let zpool { settings.zpoolCommand = zpool }
        if let systemctl { settings.systemctlCommand = systemctl }
        if let smartctl { settings.smartctlCommand = smartctl }
        if !tlsFile.isEmpty { settings.tlsFiles = tlsFile }
        if !tlsEndpoint.isEmpty {
            settings.tlsEndpoints = try tlsEndpoint.map { text throws(SettingsError) in try SenderSettings.checkEndpoint(text, source: "--tls-endpoint") }
        }
        if !collectors.isEmpty { settings.collectors = try SenderSettings.checkCollectors(collectors, source: "--collector") }
        if !includeMount.isEmpty { settings.disk.includeMounts = includeMount }
        if !includeFsType.isEmpty { settings.disk.includeFsTypes = includeFsType }
        settings.disk.excludeMounts += excludeMount
        settings.disk.excludeFsTypes += excludeFsType
        settings.excludeContainers += excludeContainer
        if let root {
            var info = stat()
            guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, access(root, R_OK | X_OK) == 0 else {
                throw SettingsError(message: "--root \(root) is not a readable directory")
            }
            settings.root = root
        }
        if settings.host.isEmpty {
            // Under --root, the measured system's own name rather than this machine's.
            let fromRoot = settings.root == "/" ? nil : FileReader.readIfPresent(CollectContext(root: settings.root).proc("sys/kernel/hostname"))
            let name = fromRoot?.trimmingNewline() ?? SenderSettings.systemHostname()
            settings.host = try SenderSettings.checkName(name, source: "the hostname")
        }
        guard settings.timeout.seconds > 0 else { throw SettingsError(message: "--timeout must be at least 1s") }
        return settings
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}

extension String {
    func trimmingNewline() -> String? {
        let trimmed = String(self.prefix { $0 != "\n" })
        return trimmed.isEmpty ? nil : trimmed
    }
}
