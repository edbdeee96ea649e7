#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bounds on what a report may hold. The backend makes them configurable; the sender checks
/// the defaults before sending so a bad report fails on the host with a clear message.
public struct ReportLimits: Sendable, Equatable {
    public var maxObservations: Int
    public var maxNameLength: Int
    public var maxTextLength: Int
    public var maxDetailKeys: Int
    public var maxDetailDepth: Int

    public init(
        maxObservations: Int = 1000, maxNameLength: Int = 200, maxTextLength: Int = 1000,
        maxDetailKeys: Int = 64, maxDetailDepth: Int = 6
    ) {
        self.maxObservations = maxObservations
        self.maxNameLength = maxNameLength
        self.maxTextLength = maxTextLength
        self.maxDetailKeys = maxDetailKeys
        self.maxDetailDepth = maxDetailDepth
    }

    public static let standard = ReportLimits()
}

/// A report that breaks the protocol: which field, and what to do about it.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Earliest time a report may claim: anything older is a clock that was never set.
private let earliestSentAt = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01

extension Report {
    public func validate(limits: ReportLimits = .standard) throws(ValidationError) {
        guard version == Report.currentVersion else {
            throw ValidationError(field: "version", message: "version \(version) is not supported; this backend speaks version \(Report.currentVersion)")
        }
        try Names.check(host, field: "host", maxLength: limits.maxNameLength)
        if let bootId { try Names.check(bootId, field: "bootId", maxLength: limits.maxNameLength) }
        if let sender { try Names.check(sender, field: "sender", maxLength: limits.maxNameLength) }
        if let reportId { try Names.check(reportId, field: "reportId", maxLength: limits.maxNameLength) }
        if let tags { try HostTags.check(tags, field: "tags") }
        guard sentAt >= earliestSentAt else {
            throw ValidationError(field: "sentAt", message: "\(sentAt) is before the year 2000; set the host's clock (NTP)")
        }
        guard observations.count <= limits.maxObservations else {
            throw ValidationError(field: "observations", message: "\(observations.count) observations is more than the limit of \(limits.maxObservations); exclude some mounts or containers")
        }
        var seen = Set<String>(minimumCapacity: observations.count)
        for (index, observation) in observations.enumerated() {
            try observation.validate(path: "observations[\(index)]", limits: limits)
            guard observation.name != reservedHostCheckName else {
                throw ValidationError(field: "observations[\(index)].name", message: "'\(reservedHostCheckName)' is reserved for the host's own check; choose another name")
            }
            guard !observation.name.hasPrefix(reservedLogRulePrefix) else {
                throw ValidationError(field: "observations[\(index)].name", message: "names starting '\(reservedLogRulePrefix)' are the backend's log rules' checks; choose another name")
            }
            guard seen.insert(observation.name).inserted else {
                throw ValidationError(field: "observations[\(index)].name", message: "'\(observation.name)' appears twice in one report; names must be unique")
            }
        }
    }
}

/// The backend keeps one check of this name per host, fed by its reports (host down).
public let reservedHostCheckName = "host"

/// The checks the backend's log rules raise from journal lines: `log:NAME`.
public let reservedLogRulePrefix = "log:"

extension Observation {
    /// `path` is built only when there is an error to name: validation runs for every observation.
    public func validate(path makePath: @autoclosure () -> String, limits: ReportLimits = .standard) throws(ValidationError) {
        try Names.check(name, field: "\(makePath()).name", maxLength: limits.maxNameLength)
        guard knownKind != nil else {
            let known = ObservationKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(field: "\(makePath()).kind", message: "unknown kind '\(kind.prefix(40))'; use one of \(known)")
        }
        if let value, !value.isFinite {
            throw ValidationError(field: "\(makePath()).value", message: "must be a finite number")
        }
        if let unit { try Names.check(unit, field: "\(makePath()).unit", maxLength: 16) }
        if let status {
            guard ObservationStatus.all.contains(status) else {
                let known = ObservationStatus.all.sorted().joined(separator: ", ")
                throw ValidationError(field: "\(makePath()).status", message: "unknown status '\(status.prefix(40))'; use one of \(known)")
            }
        }
        if let error { try Names.check(error, field: "\(makePath()).error", maxLength: limits.maxTextLength) }
        for (field, seconds) in [("every", every), ("grace", grace)] {
            guard let seconds else { continue }
            guard seconds >= 0, seconds <= TimeSpan.maximum.seconds else {
                throw ValidationError(field: "\(makePath()).\(field)", message: "must be between 0 seconds and 10 years")
            }
        }
        if let details {
            guard details.count <= limits.maxDetailKeys else {
                throw ValidationError(field: "\(makePath()).details", message: "more than \(limits.maxDetailKeys) keys")
            }
            let wrapped = JSONValue.object(details)
            guard wrapped.depth <= limits.maxDetailDepth else {
                throw ValidationError(field: "\(makePath()).details", message: "nested deeper than \(limits.maxDetailDepth) levels")
            }
            if wrapped.containsNonFinite, let bad = wrapped.firstNonFinite(path: "\(makePath()).details") {
                throw ValidationError(field: bad, message: "must be a finite number")
            }
        }
    }
}

/// Rules for names of hosts and checks: printable UTF-8 of bounded length. Spaces, `&`, `#`
/// and `<` are allowed because mount points contain them; escaping is the job of whoever displays.
public enum Names {
    public static func check(_ text: String, field: @autoclosure () -> String, maxLength: Int) throws(ValidationError) {
        guard !text.isEmpty else { throw ValidationError(field: field(), message: "must not be empty") }
        // A string has no more characters than UTF-8 bytes: count characters only for long ones.
        guard text.utf8.count <= maxLength || text.count <= maxLength else {
            throw ValidationError(field: field(), message: "is \(text.count) characters; the limit is \(maxLength)")
        }
        // Printable ASCII needs no look-up of Unicode properties.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return }
        for scalar in text.unicodeScalars where isForbidden(scalar) {
            let code = String(scalar.value, radix: 16, uppercase: true)
            throw ValidationError(field: field(), message: "contains the control character U+\(code); use printable characters only")
        }
    }

    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .surrogate, .unassigned, .lineSeparator, .paragraphSeparator: return true
        default: return scalar == "\u{FFFD}"  // a replacement character means the bytes were not UTF-8
        }
    }
}
