import Foundation
import Hummingbird
import Shared

/// `POST /metric`: the original Go metrics-sender's format, so existing hosts keep working:
/// `{"host", "name", "type": "ping"|"disk", "timestamp", "value"}` with `value` a string.
struct MetricCompatController<Context: IdentifiedRequestContext> {
    let ingest: IngestService
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("metric", use: metric)
    }

    @Sendable func metric(_ request: Request, context: Context) async throws -> Response {
        let caller = try context.requireCaller()
        let body = try await RequestBody.collect(request, limit: min(config.maxReportBytes, 64 * 1024), setting: "REPORT_MAX_BYTES")
        let report = try LegacyMetric.report(from: body, now: Date())
        return try await ReportIntake.store(report, from: caller, limits: config.reportLimits, in: ingest)
    }
}

/// Translates one legacy metric into a report of one observation.
enum LegacyMetric {
    /// Without a value, a ping alerts after 5 minutes, as the original did.
    static let defaultPingMinutes = 5

    static func report(from body: ByteBuffer, now: Date) throws -> Report {
        guard case .object(let object)? = try? ReportReader.parse(body) else {
            throw APIError(.badRequest, "the body must be a JSON object {\"host\", \"name\", \"type\", \"timestamp\", \"value\"}")
        }
        let host = try string(object, "host")
        let name = try string(object, "name")
        let type = try string(object, "type")
        let sentAt = try timestamp(object["timestamp"], now: now)
        let value = try valueText(object["value"])
        let observation: Observation
        switch type {
        case "ping":
            var minutes = defaultPingMinutes
            if let value {
                guard let parsed = Int(value), parsed > 0, parsed <= TimeSpan.maximum.seconds / 60 else {
                    throw APIError(.badRequest, "for a ping, value is the whole number of minutes until an alert, such as \"5\"", field: "value")
                }
                minutes = parsed
            }
            observation = Observation(name: name, kind: .heartbeat, status: ObservationStatus.ok, every: minutes * 60, grace: 0)
        case "disk":
            guard let value, let percent = Double(value), percent.isFinite, (0...100).contains(percent) else {
                throw APIError(.badRequest, "for disk, value is the used percent as a string, such as \"71\"", field: "value")
            }
            observation = Observation(name: name.hasPrefix("disk:") ? name : "disk:\(name)", kind: .disk, value: percent, unit: "%")
        default:
            throw APIError(.badRequest, "unknown type '\(type.prefix(40))'; use ping or disk", field: "type")
        }
        let key = "metric:\(type):\(name):\(Int64((sentAt.timeIntervalSince1970 * 1000).rounded()))"
        // A time the original sender gave is its word, as it always was (it may send a late value
        // on purpose); without one the report is of now.
        let given = sentAt != now
        return Report(host: host, sentAt: sentAt, sender: "metrics-sender/legacy", reportId: String(key.prefix(200)), resent: given ? true : nil,
                      observations: [observation])
    }

    private static func string(_ object: [String: JSONValue], _ key: String) throws -> String {
        guard let value = object[key] else { throw APIError(.badRequest, "is missing", field: key) }
        guard case .string(let text) = value else { throw APIError(.badRequest, "must be a string", field: key) }
        return text
    }

    private static func valueText(_ value: JSONValue?) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text.trimmingCharacters(in: .whitespaces).isEmpty ? nil : text.trimmingCharacters(in: .whitespaces)
        case .number(let number)?: return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default: throw APIError(.badRequest, "must be a string such as \"5\"", field: "value")
        }
    }

    /// A missing timestamp means now; otherwise Unix seconds (number or string) or ISO 8601.
    private static func timestamp(_ value: JSONValue?, now: Date) throws -> Date {
        switch value {
        case nil, .null?: return now
        case .number(let seconds)?: return try epoch(seconds)
        case .string(let text)?:
            if text.isEmpty { return now }
            if let seconds = Double(text) { return try epoch(seconds) }
            if let date = Report.parseTime(text) { return date }
            throw APIError(.badRequest, "'\(text.prefix(40))' is neither Unix seconds nor an ISO 8601 time", field: "timestamp")
        default:
            throw APIError(.badRequest, "must be Unix seconds or an ISO 8601 time", field: "timestamp")
        }
    }

    private static func epoch(_ seconds: Double) throws -> Date {
        guard seconds.isFinite, seconds > 0, seconds < 1e11 else {
            throw APIError(.badRequest, "is not a Unix time in seconds", field: "timestamp")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
