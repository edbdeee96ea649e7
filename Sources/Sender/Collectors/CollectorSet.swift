import Shared

/// The collectors a run uses, built from settings, in a fixed order so reports are stable.
struct CollectorSet {
    var collectors: [any Collector]
    var context: CollectContext

    /// `started`: when the run began (`Clock`); collection ends within `collectionLimit` of it.
    init(settings: SenderSettings, started: Double) {
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
        context = CollectContext(
            root: settings.root, explicit: settings.collectors != nil, stateDir: settings.stateDir,
            deadline: started + settings.collectionLimit)
        limitWords = Clock.words(settings.collectionLimit)
    }

    private var limitWords: String

    /// A collector whose turn comes after the deadline is not run, and one warning line names it.
    /// It reports nothing: a check made up for it (a host without Docker has no `container`
    /// check) would go stale next run and alert for good. Its checks that exist go without data.
    func collect() -> [Observation] {
        var observations: [Observation] = []
        var skipped: [String] = []
        for collector in collectors {
            guard !context.pastDeadline else {
                skipped.append(type(of: collector).name)
                continue
            }
            observations += collector.collect(context)
        }
        if !skipped.isEmpty {
            StandardStreams.warn("collection ran past \(limitWords) (half of run_limit); skipped: \(skipped.joined(separator: ", "))")
        }
        return observations
    }
}
