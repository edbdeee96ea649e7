import Shared

/// The collectors a run uses, built from settings, in a fixed order so reports are stable.
struct CollectorSet {
    var collectors: [any Collector]
    var context: CollectContext

    init(settings: SenderSettings) {
        let all: [any Collector] = [
            MemoryCollector(),
            DiskCollector(filter: settings.disk, statTimeout: settings.statTimeout),
            RaidCollector(),
            ContainerCollector(socket: settings.dockerSocket, excludePrefixes: settings.excludeContainers),
            ZpoolCollector(command: settings.zpoolCommand),
            LoadCollector(),
            CPUCollector(),
            NetCollector(include: settings.netInclude, exclude: settings.netExclude),
            UnitCollector(command: settings.systemctlCommand),
            CertCollector(files: settings.tlsFiles, endpoints: settings.tlsEndpoints),
            SmartCollector(command: settings.smartctlCommand, every: settings.smartEvery),
        ]
        let wanted = settings.collectors ?? SenderSettings.defaultCollectors
        collectors = all.filter { wanted.contains(type(of: $0).name) }
        context = CollectContext(root: settings.root, explicit: settings.collectors != nil, stateDir: settings.stateDir)
    }

    func collect() -> [Observation] {
        collectors.flatMap { $0.collect(context) }
    }
}
