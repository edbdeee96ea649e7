import Foundation
import Shared

/// What a rule wants for a check now, and why, in words a message can carry.
struct Verdict: Sendable, Equatable {
    var state: CheckState
    var reason: String

    static func ok(_ reason: String) -> Verdict { Verdict(state: .ok, reason: reason) }
    static func alert(_ reason: String) -> Verdict { Verdict(state: .alert, reason: reason) }
    static func noData(_ reason: String) -> Verdict { Verdict(state: .noData, reason: reason) }
}

/// The rules: pure functions of a check, its recent samples and the time. No I/O, so the
/// evaluator can run them at ingest and at deadlines alike, and tests can run them alone.
enum Rules {
    static func evaluate(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings = RuleSettings()) -> Verdict {
        if let late = staleness(check, now: now, settings: settings) { return late }
        switch check.kind {
        case .disk: return disk(check, samples: samples, now: now, settings: settings)
        case .inodes: return inodes(check, settings: settings)
        case .memory: return memory(check, samples: samples, now: now, settings: settings)
        case .raid, .zpool: return array(check)
        case .heartbeat: return heartbeat(check)
        case .container: return container(check)
        case .host: return .ok("reporting")
        case .gauge: return gauge(check, samples: samples, now: now, settings: settings)
        case .load: return load(check, samples: samples, now: now, settings: settings)
        case .cpu: return cpu(check, samples: samples, now: now, settings: settings)
        case .net: return net(check, samples: samples, now: now, settings: settings)
        case .unit: return unit(check)
        case .cert: return cert(check, settings: settings)
        case .smart: return smart(check, samples: samples, now: now, settings: settings)
        case .journal: return logLine(check)
        }
    }

    /// When the check is next due: after this, with no new report, the verdict changes.
    /// A silence that ended later than the last report starts a fresh window, so maintenance
    /// ends without a false alert. So does a maintenance window the deadline falls in: the check
    /// is due a full period after the window closes. A check already late when a window opened
    /// stays late.
    static func deadline(_ check: CheckRecord, settings: RuleSettings = RuleSettings()) -> Date {
        var due = deadline(check, from: max(check.lastSeen, check.silencedUntil ?? check.lastSeen), settings: settings)
        // Bounded: windows that keep reopening are looked at again when the moved deadline comes.
        for _ in 0..<8 {
            guard due != .distantFuture, let closes = settings.maintenance.openUntil(due) else { break }
            due = deadline(check, from: closes, settings: settings)
        }
        return due
    }

    private static func deadline(_ check: CheckRecord, from: Date, settings: RuleSettings) -> Date {
        if waitsForFirstPing(check) { return .distantFuture }
        if !isRunning(check), let schedule = schedule(check) {
            // Due at the schedule's next time after the last ping, plus grace.
            guard let next = schedule.next(after: from) else { return .distantFuture }
            return next.addingTimeInterval(Double(check.grace ?? 0))
        }
        if isRunning(check) {
            // A started job must finish within its grace (or its interval, when it has no grace).
            return from.addingTimeInterval(Double(check.grace ?? expectedEvery(check, settings: settings)))
        }
        return from.addingTimeInterval(Double(expectedEvery(check, settings: settings) + expectedGrace(check, settings: settings)))
    }

    static func expectedEvery(_ check: CheckRecord, settings: RuleSettings) -> Int {
        if let every = check.every { return every }
        if check.kind == .host { return settings.reportEvery }
        return check.kind == .heartbeat ? settings.heartbeatDefaultEvery : settings.reportEvery
    }

    static func expectedGrace(_ check: CheckRecord, settings: RuleSettings) -> Int {
        if let grace = check.grace { return grace }
        if check.kind == .host { return settings.reportEvery * (settings.hostDownAfterIntervals - 1) }
        return check.kind == .heartbeat ? 0 : settings.reportGrace
    }

    static func schedule(_ check: CheckRecord) -> CronSchedule? {
        guard let cron = check.cron else { return nil }
        return try? CronSchedule(cron, timeZone: check.timezone ?? "UTC")
    }

    /// Made through the API (or `?create=1`) and never pinged: nothing is late yet, as in Healthchecks.
    static func waitsForFirstPing(_ check: CheckRecord) -> Bool {
        check.kind == .heartbeat && check.status == "new"
    }

    static func isRunning(_ check: CheckRecord) -> Bool {
        check.kind == .heartbeat && check.status == ObservationStatus.start
    }

    /// The state a check takes once its deadline passes without a report. A unit last reported ok
    /// stays ok: the sender lists failed units only, and a recovered one once. A unit last reported
    /// failed has no data (its host is down, or the sender could not keep its list).
    static func staleState(_ check: CheckRecord) -> CheckState {
        switch check.kind {
        case .heartbeat, .container, .host: return .alert
        case .journal: return .ok
        case .unit where check.status == ObservationStatus.ok: return .ok
        default: return .noData
        }
    }

    /// A check past its deadline: a missed heartbeat or a stopped container alerts; anything
    /// else has no data.
    private static func staleness(_ check: CheckRecord, now: Date, settings: RuleSettings) -> Verdict? {
        let due = deadline(check, settings: settings)
        guard now > due else { return nil }
        let silent = "nothing for \(Durations.words(now.timeIntervalSince(check.lastSeen)))"
        switch check.kind {
        case .heartbeat where isRunning(check): return .alert("running too long: started \(Durations.words(now.timeIntervalSince(check.lastSeen))) ago and not finished")
        case .heartbeat where check.cron != nil: return .alert("missed: \(silent), expected on '\(check.cron ?? "")' (\(check.timezone ?? "UTC"))")
        case .heartbeat: return .alert("missed: \(silent), expected every \(Durations.words(Double(expectedEvery(check, settings: settings))))")
        case .container: return .alert("container stopped: \(silent)")
        case .host: return .alert("host down: \(silent)")
        case .journal: return .ok("no match for \(Durations.words(now.timeIntervalSince(check.lastSeen)))")
        case .unit where check.status == ObservationStatus.ok: return .ok("not failed")
        default: return .noData("no data: \(silent)")
        }
    }

    /// Above the threshold alerts; once alerting, it clears only below the lower threshold.
    private static func disk(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "the mount could not be measured") }
        guard let used = check.value else { return .noData("no value") }
        let text = "\(Durations.percent(used))% used"
        if let minimum = settings.diskMinFreeGiB, let free = check.details?["availBytes"]?.doubleValue, free / 1_073_741_824 < minimum {
            return .alert("\(text), \(Durations.percent(free / 1_073_741_824)) GiB free, below \(Durations.percent(minimum)) GiB")
        }
        if let over = overDiskThreshold(check, used: used, text: text, settings: settings) { return over }
        if let within = settings.diskFillWithin, used >= settings.diskFillFrom,
            let prediction = FillPrediction.predict(samples, now: now, window: Double(settings.diskFillWindow)),
            prediction.fullAt <= now.addingTimeInterval(Double(within))
        {
            // `2027-01-15 18:00 UTC`: minutes are as precise as a line through samples gets.
            let at = prediction.fullAt.formatted(.iso8601).prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC"
            return .alert("fills up within \(Durations.words(Double(within))): \(text), growing \(Durations.percent(prediction.growthPerHour))%/h, full around \(at)")
        }
        return .ok(text)
    }

    /// Above the disk's threshold alerts; once alerting, it clears only below the lower one.
    static func overDiskThreshold(_ check: CheckRecord, used: Double, text: String, settings: RuleSettings) -> Verdict? {
        if used > settings.diskAlertAbove { return .alert("\(text), above \(Durations.percent(settings.diskAlertAbove))%") }
        if check.state == .alert && used >= settings.diskClearBelow {
            return .alert("\(text), not yet below \(Durations.percent(settings.diskClearBelow))%")
        }
        return nil
    }

    /// High only when sustained: every sample of the window at or above the threshold, and the
    /// samples reach back over the whole window.
    private static func memory(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> Verdict {
        guard let used = check.value else { return .noData("no value") }
        let text = "\(Durations.percent(used))% used"
        if check.state == .alert {
            return used < settings.memoryClearBelow ? .ok(text) : .alert("\(text), not yet below \(Durations.percent(settings.memoryClearBelow))%")
        }
        let windowStart = now.addingTimeInterval(-Double(settings.memorySustain))
        let window = samples.filter { $0.at >= windowStart }
        let before = samples.filter { $0.at < windowStart }.max { $0.at < $1.at }
        // The sample just before the window says what held at its start.
        let covering = (before.map { [$0] } ?? []) + window
        let sustained = used >= settings.memoryAlertAt && before != nil && covering.allSatisfy { $0.value >= settings.memoryAlertAt }
        if sustained {
            return .alert("\(text), at or above \(Durations.percent(settings.memoryAlertAt))% for \(Durations.words(Double(settings.memorySustain)))")
        }
        return .ok(text)
    }

    /// RAID (and ZFS pools): degraded, inactive, or a failed member alerts; a recovery shows how far it got.
    private static func array(_ check: CheckRecord) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "the array could not be read") }
        let failed = check.details?["disksFailed"]?.doubleValue ?? 0
        var words: [String] = []
        if let status = check.status, status != ObservationStatus.ok { words.append(status) }
        if failed > 0 { words.append("\(failed.clampedInt) failed member\(failed == 1 ? "" : "s")") }
        if case .string(let action)? = check.details?["syncAction"], let percent = check.details?["syncPercent"]?.doubleValue {
            words.append("\(action) \(Durations.percent(percent))%")
        }
        let degraded = check.status == ObservationStatus.degraded || check.status == ObservationStatus.inactive || failed > 0
        let text = words.isEmpty ? "clean" : words.joined(separator: ", ")
        return degraded ? .alert(text) : .ok(text)
    }

    /// A matching entry alerts until its rule's quiet period passes (the check's deadline), or
    /// until an entry matches the rule's recovery pattern.
    private static func logLine(_ check: CheckRecord) -> Verdict {
        let line = check.details?["line"]?.stringValue ?? ""
        if check.status == ObservationStatus.ok { return .ok("recovered: \(line)") }
        return .alert("matched: \(line)")
    }

    /// An explicit fail alerts at once; a success (or a start) is on time until the deadline.
    private static func heartbeat(_ check: CheckRecord) -> Verdict {
        if check.status == ObservationStatus.fail { return .alert(check.error.map { "failed: \($0)" } ?? "failed") }
        if waitsForFirstPing(check) { return .ok("waiting for the first ping") }
        // A start changes nothing yet: a job that failed last time stays failed until it succeeds.
        if isRunning(check) && check.state == .alert { return .alert("running again; the last run failed") }
        if isRunning(check) { return .ok("running") }
        return .ok("on time")
    }
}

/// Numbers and durations as messages show them.
enum Durations {
    /// `5 min`, `1 h 30 min`, `2 d`, `45 s`.
    static func words(_ seconds: Double) -> String {
        let total = seconds.clampedInt
        if total < 60 { return "\(max(0, total)) s" }
        let days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60
        var parts: [String] = []
        if days > 0 { parts.append("\(days) d") }
        if hours > 0 { parts.append("\(hours) h") }
        if minutes > 0 && days == 0 { parts.append("\(minutes) min") }
        return parts.joined(separator: " ")
    }

    /// At most one decimal, none when whole: `91`, `37.3`.
    static func percent(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(rounded.clampedInt) : String(rounded)
    }
}
