import Foundation
import Hummingbird
import Shared

/// `/checks/new`: makes a heartbeat check and shows its ping URL with lines to paste into a crontab.
struct CheckFormController: Sendable {
    let pages: WebPages

    func add(to routes: PageRoutes) {
        routes.users.get("checks/new", use: form)
        routes.admins.post("checks/new", use: create)
    }

    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let hosts = try await pages.store.hosts()
        let model: [String: Any] = ["form": ["every": "1d", "grace": "1h", "timezone": "UTC", "scheduleEvery": true] as [String: Any],
                                    "hostNames": hosts.map(\.name)]
        return pages.render("check-new", request: request, session: session, title: "New heartbeat", nav: "checks", model)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (session, form) = try await pages.form(request, context: context)
        let host = form["host"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let name = form["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let byCron = form["schedule"] == "cron"
        var echo: [String: Any] = ["host": host, "name": name, "every": form["every"] ?? "", "grace": form["grace"] ?? "",
                                   "cron": form["cron"] ?? "", "timezone": form["timezone"] ?? "UTC",
                                   "scheduleEvery": !byCron, "scheduleCron": byCron]
        do {
            let spec = try HeartbeatInput.spec(
                host: host, name: name, every: byCron ? nil : form["every"], grace: form["grace"],
                cron: byCron ? (form["cron"] ?? "") : nil, timezone: form["timezone"], maxNameLength: pages.config.reportLimits.maxNameLength)
            if byCron && spec.cron == nil { throw APIError(.badRequest, "give a cron expression such as 0 3 * * *", field: "cron") }
            let made = try await pages.store.ensureHeartbeat(spec, now: Date())
            let pingURL = baseURL(request) + "/ping/" + made.pingID
            var created: [String: Any] = [
                "host": host, "name": name, "pingURL": pingURL, "created": made.created,
                "curl": "curl -fsS -m 10 --retry 5 -o /dev/null \(pingURL)",
                "sender": "metrics-sender exec \(Self.shellWord(name))"
                    + (spec.every != nil ? " --every \(Self.shellWord(form["every"] ?? ""))" : "")
                    + (form["grace"].flatMap { $0.isEmpty ? nil : " --grace \(Self.shellWord($0))" } ?? "") + " -- /usr/local/bin/your-job",
            ]
            if let cron = spec.cron { created["crontab"] = "\(cron) /usr/local/bin/your-job && curl -fsS -m 10 --retry 5 -o /dev/null \(pingURL)" }
            return pages.render("check-new", request: request, session: session, title: "Heartbeat \(name)", nav: "checks",
                                ["created": created, "form": echo, "hostNames": []], status: made.created ? .created : .ok)
        } catch {
            // Answered in the form, as the API would answer it: a store's refusal or an outage too.
            guard let error = StorageErrors.answer(error, logger: context.logger) as? APIError else { throw error }
            echo["error"] = "\(error.field.map { "\($0): " } ?? "")\(error.message)"
            let hosts = (try? await pages.store.hosts()) ?? []
            return pages.render("check-new", request: request, session: session, title: "New heartbeat", nav: "checks",
                                ["form": echo, "hostNames": hosts.map(\.name)], status: .badRequest)
        }
    }

    /// PUBLIC_URL, or the address the browser used.
    private func baseURL(_ request: Request) -> String {
        if let url = pages.config.publicURL { return url }
        let authority = request.head.authority ?? "localhost"
        let safe = authority.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0) }
        return "http://" + (safe ? authority : "localhost")
    }

    /// Single-quoted for a shell when it holds anything but plain characters.
    static func shellWord(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.:/".unicodeScalars.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
