import Shared

/// The protocol's rules applied to each collected observation on its own: one the backend would
/// refuse (a name no check may have, a duplicate) is dropped with a warning line, because a
/// refused report would cost every other check of the host and make it look down.
enum ObservationCheck {
    static func keepValid(_ observations: [Observation], limits: ReportLimits = .standard) -> [Observation] {
        var kept: [Observation] = []
        var seen = Set<String>(minimumCapacity: observations.count)
        for observation in observations {
            let problem: String?
            do {
                try observation.validate(path: "observation", limits: limits)
                if observation.name == reservedHostCheckName {
                    problem = "the name '\(reservedHostCheckName)' is reserved for the host's own check"
                } else if !seen.insert(observation.name).inserted {
                    problem = "another observation has the same name"
                } else {
                    problem = nil
                }
            } catch { problem = error.description }
            if let problem { warn(observation, problem) } else { kept.append(observation) }
        }
        if kept.count > limits.maxObservations {
            StandardStreams.warn("dropped \(kept.count - limits.maxObservations) observations beyond the limit of \(limits.maxObservations); exclude some mounts or containers")
            kept.removeLast(kept.count - limits.maxObservations)
        }
        return kept
    }

    /// One line, whatever the name holds: a name with a newline must not forge a second line.
    private static func warn(_ observation: Observation, _ problem: String) {
        let name = PrintableName.shorten(PrintableName.escape(observation.name.utf8), limit: 80)
        StandardStreams.warn(PrintableName.escape("dropped the observation '\(name)': \(problem)".utf8))
    }
}
