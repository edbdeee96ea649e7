/// Restart loops: a container whose restart count rose since the previous run. Counts come from
/// `GET /containers/{id}/json`, asked only of containers without a count yet and of those up for
/// less time than has passed since the previous run (only they can have restarted since); the
/// counts are kept in `STATE_DIR/containers.state`.
struct ContainerRestarts {
    /// More containers than this get no count: one request each.
    static let maxInspections = 200

    /// id → restarts since the previous run, for the containers that restarted.
    static func risen(_ containers: [DockerContainer], context: CollectContext, inspect: (String) -> Int?) -> [String: Int] {
        let file = context.state("containers.state", as: CounterBaseline.self)
        let previous = file.load()
        var current = CounterClock.baseline([:], context)
        let elapsed = previous.flatMap { current.seconds(since: $0) }
        var risen: [String: Int] = [:]
        var inspected = 0
        for container in containers {
            let known = previous?.rows[container.id]?.first
            let recent = container.state == "restarting"
                || (DockerUptime.seconds(container.status ?? "") ?? .infinity) <= (elapsed ?? 0) + 60
            guard known == nil || (recent && elapsed != nil) else {
                if let known { current.rows[container.id] = [known] }
                continue
            }
            guard inspected < maxInspections, container.id.utf8.allSatisfy({ $0 < 128 && Character(Unicode.Scalar($0)).isHexDigit }),
                let count = inspect(container.id).flatMap({ UInt64(exactly: $0) })
            else {
                // Not asked (the deadline, the limit): its count stays the baseline for next run.
                if let known { current.rows[container.id] = [known] }
                continue
            }
            inspected += 1
            current.rows[container.id] = [count]
            if let known, elapsed != nil, count > known { risen[container.id] = Int(clamping: count - known) }
        }
        if let problem = file.save(current) { StandardStreams.warn("container: \(problem)") }
        return risen
    }
}
