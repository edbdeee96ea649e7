import Foundation
import Shared

/// Rules for the host checks beyond disk and memory: load, CPU, network errors, container
/// health, failed units, certificates, SMART, and thresholds on generic gauges. Pure, like the others.
extension Rules {
    /// Load per CPU: high only when sustained, like memory; clears below the lower threshold.
    static func load(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "the load could not be read") }
        guard let value = check.value else { return .noData("no value") }
        let text = "load \(Durations.percent(value)) per CPU"
        return sustainedThreshold(
            check, value: value, text: text, samples: samples, now: now,
            above: settings.loadAlertAt, clearBelow: settings.loadClearBelow, seconds: settings.loadSustain)
    }

    /// CPU busy %: high only when sustained.
    static func cpu(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "the CPU could not be read") }
        guard let value = check.value else { return .noData("no value") }
        var text = "\(Durations.percent(value))% busy"
        if let iowait = check.details?["iowaitPercent"]?.doubleValue, iowait > 0 { text += ", \(Durations.percent(iowait))% iowait" }
        return sustainedThreshold(
            check, value: value, text: text, samples: samples, now: now,
            above: settings.cpuAlertAt, clearBelow: settings.cpuClearBelow, seconds: settings.cpuSustain)
    }

    /// Interface errors per minute: a rate that stays up, not one burst.
    static func net(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "the interface counters could not be read") }
        guard let value = check.value else { return .noData("no value") }
        return sustainedThreshold(
            check, value: value, text: "\(Durations.percent(value)) errors/min", samples: samples, now: now,
            above: settings.netAlertAt, clearBelow: settings.netClearBelow, seconds: settings.netSustain)
    }

    /// Full inodes break a host as surely as full blocks: the disk's thresholds, per mount.
    static func inodes(_ check: CheckRecord, settings: RuleSettings) -> Verdict {
        guard let used = check.value else { return .noData("no value") }
        let text = "inodes \(Durations.percent(used))% used"
        return overDiskThreshold(check, used: used, text: text, settings: settings) ?? .ok(text)
    }

    /// A container whose health check fails, or that keeps restarting, alerts.
    static func container(_ check: CheckRecord) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "containers could not be listed") }
        guard check.status == ObservationStatus.degraded else { return .ok("running") }
        if let times = check.details?["restartedTimes"]?.doubleValue { return .alert("restart loop: restarted \(times.clampedInt) times since the last report") }
        if case .string(let health)? = check.details?["health"], health == "unhealthy" { return .alert("unhealthy") }
        if case .string(let state)? = check.details?["state"], state == "restarting" { return .alert("restarting again and again") }
        return .alert("degraded")
    }

    /// A failed unit alerts until it is reported ok, or is no longer reported at all (see `staleness`).
    static func unit(_ check: CheckRecord) -> Verdict {
        switch check.status {
        case ObservationStatus.failed:
            let sub = check.details?["sub"].flatMap { if case .string(let text) = $0 { text } else { nil } }
            return .alert(sub.map { "failed (\($0))" } ?? "failed")
        case ObservationStatus.error: return .alert(check.error ?? "the failed units could not be listed")
        default: return .ok("not failed")
        }
    }

    /// Days until the certificate expires; at or below the threshold it alerts.
    static func cert(_ check: CheckRecord, settings: RuleSettings) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "the certificate could not be read") }
        guard let days = check.value else { return .noData("no value") }
        let text = days < 0 ? "expired \(Durations.words(-days * 86400)) ago" : "expires in \(Durations.words(days * 86400))"
        return days <= settings.certAlertDays ? .alert("\(text), within \(Durations.percent(settings.certAlertDays)) days") : .ok(text)
    }

    /// A failing self-assessment alerts; so do bad sectors that grew within the window.
    static func smart(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> Verdict {
        switch check.status {
        case ObservationStatus.error: return .alert(check.error ?? "smartctl failed")
        case ObservationStatus.failed: return .alert("SMART self-assessment failed" + (check.value.map { ", \($0.clampedInt) bad sectors" } ?? ""))
        default: break
        }
        guard let value = check.value else { return .ok("passed") }
        let since = now.addingTimeInterval(-Double(settings.smartGrowthWindow))
        if let least = samples.filter({ $0.at >= since }).map(\.value).min(), value > least {
            return .alert("\(value.clampedInt) bad sectors, up from \(least.clampedInt) within \(Durations.words(Double(settings.smartGrowthWindow)))")
        }
        return .ok(value == 0 ? "passed" : "passed, \(value.clampedInt) bad sectors, not growing")
    }

    /// A gauge alerts above `gaugeAbove` or below `gaugeBelow` once it has been there for
    /// `gaugeFor`, and clears once it is back by more than `gaugeHysteresis`. No threshold, no alert.
    static func gauge(_ check: CheckRecord, samples: [SampleRecord], now: Date, settings: RuleSettings) -> Verdict {
        if check.status == ObservationStatus.error { return .alert(check.error ?? "the measurement failed") }
        guard let value = check.value, settings.gaugeAbove != nil || settings.gaugeBelow != nil else { return .ok("reported") }
        let text = Durations.percent(value) + (check.unit.map { " \($0)" } ?? "")
        let margin = settings.gaugeHysteresis
        // Alerting, it clears only once back inside the bounds by more than the margin.
        if check.state == .alert {
            if let above = settings.gaugeAbove, value > above - margin { return .alert("\(text), not yet below \(Durations.percent(above - margin))") }
            if let below = settings.gaugeBelow, value < below + margin { return .alert("\(text), not yet above \(Durations.percent(below + margin))") }
            return .ok(text)
        }
        if let above = settings.gaugeAbove, value > above, sustained(samples, now: now, seconds: settings.gaugeFor, { $0 > above }) {
            return .alert("\(text), above \(Durations.percent(above))" + forWords(settings.gaugeFor))
        }
        if let below = settings.gaugeBelow, value < below, sustained(samples, now: now, seconds: settings.gaugeFor, { $0 < below }) {
            return .alert("\(text), below \(Durations.percent(below))" + forWords(settings.gaugeFor))
        }
        return .ok(text)
    }

    private static func forWords(_ seconds: Int) -> String {
        seconds > 0 ? " for \(Durations.words(Double(seconds)))" : ""
    }

    /// At or above `above` for `seconds` alerts; once alerting, it clears below `clearBelow`.
    private static func sustainedThreshold(
        _ check: CheckRecord, value: Double, text: String, samples: [SampleRecord], now: Date, above: Double, clearBelow: Double, seconds: Int
    ) -> Verdict {
        if check.state == .alert {
            return value < clearBelow ? .ok(text) : .alert("\(text), not yet below \(Durations.percent(clearBelow))")
        }
        if value >= above && sustained(samples, now: now, seconds: seconds, { $0 >= above }) {
            return .alert("\(text), at or above \(Durations.percent(above))" + forWords(seconds))
        }
        return .ok(text)
    }

    /// Every sample of the last `seconds` holds, and the samples reach back over the whole
    /// window: the one just before it says what held at its start.
    static func sustained(_ samples: [SampleRecord], now: Date, seconds: Int, _ holds: (Double) -> Bool) -> Bool {
        guard seconds > 0 else { return true }
        let start = now.addingTimeInterval(-Double(seconds))
        guard let before = samples.filter({ $0.at < start }).max(by: { $0.at < $1.at }) else { return false }
        return holds(before.value) && samples.filter { $0.at >= start }.allSatisfy { holds($0.value) }
    }
}
