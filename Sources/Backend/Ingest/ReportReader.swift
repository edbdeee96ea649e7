import Foundation
import NIOCore
import Shared

/// Reads a report from a request body: `JSONParser`, then the fields by hand, so a wrong type
/// names its field (`observations[3].value`) just as the Codable types would, at a fraction of
/// the cost. Unknown keys are ignored, as Codable does, so newer senders stay compatible.
enum ReportReader {
    static func report(from body: ByteBuffer) throws(APIError) -> Report {
        let root = try parse(body)
        guard case .object(let object) = root else { throw APIError(.badRequest, "the body must be a JSON object (a report)") }
        var fields = Fields(object: object, path: "")
        let observations: [Observation]
        guard let list = fields.raw("observations") else { throw APIError(.badRequest, "is missing", field: "observations") }
        guard case .array(let items) = list else { throw APIError(.badRequest, "has the wrong type; expected an array", field: "observations") }
        var decoded: [Observation] = []
        decoded.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let path = "observations[\(index)]"
            guard case .object(let member) = item else { throw APIError(.badRequest, "has the wrong type; expected an object", field: path) }
            decoded.append(try observation(Fields(object: member, path: path + ".")))
        }
        observations = decoded
        guard let sentAtText = try fields.string("sentAt") else { throw APIError(.badRequest, "is missing", field: "sentAt") }
        guard let sentAt = Report.parseTime(sentAtText) else {
            throw APIError(.badRequest, "must be an ISO 8601 time such as 2026-11-22T12:00:00Z", field: "sentAt")
        }
        guard let version = try fields.integer("version") else { throw APIError(.badRequest, "is missing", field: "version") }
        guard let host = try fields.string("host") else { throw APIError(.badRequest, "is missing", field: "host") }
        return Report(
            version: version, host: host, bootId: try fields.string("bootId"), sentAt: sentAt,
            sender: try fields.string("sender"), reportId: try fields.string("reportId"), observations: observations)
    }

    static func parse(_ body: ByteBuffer) throws(APIError) -> JSONValue {
        let result = body.withUnsafeReadableBytes { bytes in Result { () throws(JSONParser.Failure) in try JSONParser.parse(bytes) } }
        switch result {
        case .success(let value): return value
        case .failure(let failure): throw APIError(.badRequest, "the body is not valid JSON: \(failure.message) at byte \(failure.offset)")
        }
    }

    private static func observation(_ fields: Fields) throws(APIError) -> Observation {
        guard let name = try fields.string("name") else { throw APIError(.badRequest, "is missing", field: fields.path + "name") }
        guard let kind = try fields.string("kind") else { throw APIError(.badRequest, "is missing", field: fields.path + "kind") }
        var observation = Observation(name: name, kind: .gauge)
        observation.kind = kind
        observation.value = try fields.number("value")
        observation.unit = try fields.string("unit")
        observation.status = try fields.string("status")
        observation.error = try fields.string("error")
        observation.every = try fields.integer("every")
        observation.grace = try fields.integer("grace")
        if let details = fields.raw("details") {
            switch details {
            case .null: break
            case .object(let object): observation.details = object
            default: throw APIError(.badRequest, "has the wrong type; expected an object", field: fields.path + "details")
            }
        }
        return observation
    }

    /// One JSON object's members, with typed accessors that name the field on a wrong type.
    private struct Fields {
        var object: [String: JSONValue]
        var path: String

        func raw(_ key: String) -> JSONValue? { object[key] }

        func string(_ key: String) throws(APIError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw APIError(.badRequest, "has the wrong type; expected a string", field: path + key)
            }
        }

        func number(_ key: String) throws(APIError) -> Double? {
            switch object[key] {
            case nil, .null?: return nil
            case .number(let number)?: return number
            default: throw APIError(.badRequest, "has the wrong type; expected a number", field: path + key)
            }
        }

        func integer(_ key: String) throws(APIError) -> Int? {
            guard let number = try number(key) else { return nil }
            guard let whole = Int(exactly: number) else { throw APIError(.badRequest, "must be a whole number", field: path + key) }
            return whole
        }
    }
}
