import Foundation
import Hummingbird
import Shared

/// `/hosts/{host}`: every check of one host, charts over 24 h and 7 d for disk, memory, load,
/// CPU and network errors, its RAID arrays with their members, failed units, certificates, its
/// recent flips, and a link to its journal.
struct HostPageController: Sendable {
    let pages: WebPages
    static let chartedKinds: Set<CheckKind> = [.disk, .inodes, .memory, .zpool, .load, .cpu, .net]

    func add(to routes: PageRoutes) {
        routes.users.get("hosts/:host", use: show)
    }

    /// A clock more than a minute off: said on the host's page, since its times are then unreliable.
    static func clockWarning(_ offset: Double?) -> String? {
        guard let offset, abs(offset) > ReportRows.clockTolerance, offset.isFinite else { return nil }
        let span = TimeText.span(Int(min(abs(offset), 1e9)))
        return offset > 0
            ? "This host's clock is \(span) ahead of the backend's: its reports are placed at their arrival. Set its clock (NTP)."
            : "This host's clock is \(span) behind the backend's (or its reports arrive late). Set its clock (NTP)."
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        guard let host = context.parameters.get("host")?.removingPercentEncoding, !host.isEmpty, host.utf8.count <= 1024 else {
            throw PageError(.badRequest, "The host name in the address is not valid.")
        }
        let now = Date()
        let settings = pages.config.alerting.settings
        let (hosts, checks, flips) = try await (pages.store.hosts(), pages.store.checks(host: host, state: nil),
                                                pages.store.flips(host: host, check: nil, limit: 30))
        guard let record = hosts.first(where: { $0.name == host }) else { throw PageError(.notFound, "There is no host \(host).") }
        var charts: [[String: Any]] = []
        let weekAgo = now.addingTimeInterval(-7 * 86400), dayAgo = now.addingTimeInterval(-86400)
        let charted = CheckRows.sorted(checks).filter { Self.chartedKinds.contains($0.kind) }
        let series = try await pages.store.samples(host: host, names: charted.map(\.name), from: weekAgo, to: now)
        for check in charted {
            let samples = series[check.name] ?? []
            var chart: [String: Any] = [
                "name": check.name, "value": TimeText.value(check.value, unit: check.unit), "state": check.state.rawValue,
                "day": SVGChart.chart(samples, from: dayAgo, to: now, unit: check.unit, label: check.name),
                "week": SVGChart.chart(samples, from: weekAgo, to: now, unit: check.unit, label: check.name),
            ]
            if let fill = HostHealthRows.fill(check, samples: samples, now: now, settings: settings.rules(for: check, tags: record.tags)) {
                chart["fill"] = fill
            }
            charts.append(chart)
        }
        let units = HostHealthRows.units(checks, host: host), certs = HostHealthRows.certs(checks)
        var model: [String: Any] = [
            "host": host, "lastReportAgo": TimeText.ago(record.lastReportAt, now: now), "lastReportISO": TimeText.iso(record.lastReportAt),
            "journalURL": "/journal?" + URLText.queryString([("host", host)]),
            "checks": CheckRows.sorted(checks).map {
                CheckRows.row($0, now: now, csrf: session.csrfToken, back: request.uri.path, maintenanceUntil: settings.maintenanceUntil($0, tags: record.tags, now: now))
            },
            "maintenance": settings.maintenance.open(at: now, host: host, tags: record.tags).map { window in
                ["name": window.name, "until": TimeText.utc(window.until), "untilISO": TimeText.iso(window.until)]
            },
            "charts": charts, "raids": checks.filter { $0.kind == .raid }.sorted { $0.name < $1.name }.map(Self.raid),
            "hasCharts": !charts.isEmpty, "hasRaids": checks.contains { $0.kind == .raid },
            "flips": flips.map { FlipRows.row($0, now: now) }, "hasFlips": !flips.isEmpty,
            "units": units, "hasUnits": !units.isEmpty, "certs": certs, "hasCerts": !certs.isEmpty,
            "back": request.uri.path,
        ]
        if let sender = record.sender, !sender.isEmpty { model["sender"] = sender }
        model["tags"] = URLText.tagLinks(record.tags)
        if let warning = Self.clockWarning(record.clockOffset) { model["clockWarning"] = warning }
        return pages.render("host", request: request, session: session, title: host, nav: "dashboard", model)
    }

    /// An array's state, members and sync progress from the check's details.
    static func raid(_ check: CheckRecord) -> [String: Any] {
        let details = check.details ?? [:]
        func text(_ key: String) -> String? { if case .string(let s)? = details[key] { return s }; return nil }
        func number(_ key: String) -> Double? { if case .number(let n)? = details[key] { return n }; return nil }
        var members: [[String: Any]] = []
        if case .array(let list)? = details["members"] {
            for case .object(let member) in list {
                var row: [String: Any] = [:]
                if case .string(let device)? = member["device"] { row["device"] = device }
                if case .number(let slot)? = member["slot"] { row["slot"] = Int(slot) }
                if case .string(let state)? = member["state"] { row["memberState"] = state; row["failed"] = state == "faulty" || state == "failed" }
                members.append(row)
            }
        }
        var raid: [String: Any] = [
            "name": check.name, "state": check.state.rawValue, "status": check.status ?? check.state.rawValue, "members": members,
            // Mustache treats "" as true, so the summary is one line of only the parts present.
            "summary": [text("level"), text("arrayState"),
                        number("disksRequired").map { "\(Int(number("disksActive") ?? 0)) of \(Int($0)) in sync" },
                        (number("disksFailed") ?? 0) > 0 ? "\(Int(number("disksFailed") ?? 0)) failed" : nil,
                        (number("disksSpare") ?? 0) > 0 ? "\(Int(number("disksSpare") ?? 0)) spare" : nil]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "),
        ]
        if let action = text("syncAction") {
            var sync = action
            if let percent = number("syncPercent") { sync += " \(TimeText.value(percent, unit: "%"))"; raid["syncPercent"] = percent }
            if let minutes = number("syncFinishMinutes") { sync += ", about \(TimeText.span(Int(minutes * 60))) left" }
            raid["sync"] = sync
        }
        return raid
    }
}

/// Flips as the pages list them, each with a link to the host's journal around it.
enum FlipRows {
    static func row(_ flip: Flip, now: Date) -> [String: Any] {
        [
            "host": flip.host, "check": flip.check, "hostURL": URLText.hostPage(flip.host),
            "from": flip.from.rawValue, "to": flip.to.rawValue, "fromLabel": CheckRows.label(flip.from), "toLabel": CheckRows.label(flip.to),
            "atUTC": TimeText.utc(flip.at), "atISO": TimeText.iso(flip.at), "ago": TimeText.ago(flip.at, now: now),
            "reason": flip.reason, "value": flip.value.map { TimeText.value($0, unit: nil) } ?? "",
            "journalURL": URLText.journal(host: flip.host, around: flip.at),
        ]
    }

}
