import Foundation
import NIOCore
import Shared

/// Reads a report from a request body in one pass with `JSONParser`'s steps, straight into the
/// report: no dictionary per observation. A wrong type names its field (`observations[3].value`)
/// just as the Codable types would, at a fraction of the cost. Unknown keys are ignored, as
/// Codable does, so newer senders stay compatible; of a key given twice the last counts.
enum ReportReader {
    static func report(from body: ByteBuffer) throws(APIError) -> Report {
        let result = body.withUnsafeReadableBytes { bytes in Result { () throws(APIError) in try report(bytes) } }
        return try result.get()
    }

    static func notJSON(_ failure: JSONParser.Failure) -> APIError {
        APIError(.badRequest, "the body is not valid JSON: \(failure.message) at byte \(failure.offset)")
    }

    /// The parser's steps, each syntax error answered as such.
    private struct Steps {
        var parser: JSONParser

        mutating func openObject() -> Bool { parser.openObject() }
        mutating func openArray() -> Bool { parser.openArray() }

        mutating func nextKey(first: inout Bool) throws(APIError) -> String? {
            do { return try parser.nextKey(first: &first) } catch { throw notJSON(error) }
        }

        mutating func nextItem(first: inout Bool) throws(APIError) -> Bool {
            do { return try parser.nextItem(first: &first) } catch { throw notJSON(error) }
        }

        mutating func value(at depth: Int) throws(APIError) -> JSONValue {
            do { return try parser.value(at: depth) } catch { throw notJSON(error) }
        }

        mutating func finish() throws(APIError) {
            do { try parser.finish() } catch { throw notJSON(error) }
        }
    }

    private static func report(_ bytes: UnsafeRawBufferPointer) throws(APIError) -> Report {
        var parser = Steps(parser: JSONParser(streaming: bytes))
        guard parser.openObject() else {
            _ = try parser.value(at: 0)
            try parser.finish()
            throw APIError(.badRequest, "the body must be a JSON object (a report)")
        }
        var version: Int?, host: String?, bootId: String?, sentAt: String?, sender: String?, reportId: String?, resent: Bool?
        var tags: [String]?
        var observations: [Observation]?
        var first = true
        while let key = try parser.nextKey(first: &first) {
            switch key {
            case "observations": observations = try self.observations(&parser)
            case "version": version = try integer(try parser.value(at: 1), field: key)
            case "host": host = try string(try parser.value(at: 1), field: key)
            case "bootId": bootId = try string(try parser.value(at: 1), field: key)
            case "sentAt": sentAt = try string(try parser.value(at: 1), field: key)
            case "sender": sender = try string(try parser.value(at: 1), field: key)
            case "reportId": reportId = try string(try parser.value(at: 1), field: key)
            case "resent":
                switch try parser.value(at: 1) {
                case .bool(let flag): resent = flag
                case .null: resent = nil
                default: throw APIError(.badRequest, "has the wrong type; expected true or false", field: key)
                }
            case "tags": tags = try self.tags(try parser.value(at: 1))
            default: _ = try parser.value(at: 1)
            }
        }
        try parser.finish()
        guard let observations else { throw APIError(.badRequest, "is missing", field: "observations") }
        guard let sentAt else { throw APIError(.badRequest, "is missing", field: "sentAt") }
        guard let time = Report.parseTime(sentAt) else {
            throw APIError(.badRequest, "must be an ISO 8601 time such as 2026-11-22T12:00:00Z", field: "sentAt")
        }
        guard let version else { throw APIError(.badRequest, "is missing", field: "version") }
        guard let host else { throw APIError(.badRequest, "is missing", field: "host") }
        return Report(version: version, host: host, bootId: bootId, sentAt: time, sender: sender, reportId: reportId, resent: resent,
                      tags: tags, observations: observations)
    }

    private static func observations(_ parser: inout Steps) throws(APIError) -> [Observation] {
        guard parser.openArray() else {
            _ = try parser.value(at: 1)
            throw APIError(.badRequest, "has the wrong type; expected an array", field: "observations")
        }
        var list: [Observation] = []
        var first = true
        while try parser.nextItem(first: &first) {
            list.append(try observation(&parser, index: list.count))
        }
        return list
    }

    private static func observation(_ parser: inout Steps, index: Int) throws(APIError) -> Observation {
        // Built only for an error: most reports have none.
        func field(_ key: String) -> String { "observations[\(index)]" + (key.isEmpty ? "" : "." + key) }
        guard parser.openObject() else {
            _ = try parser.value(at: 2)
            throw APIError(.badRequest, "has the wrong type; expected an object", field: field(""))
        }
        var name: String?, kind: String?
        var observation = Observation(name: "", kind: .gauge)
        var first = true
        while let key = try parser.nextKey(first: &first) {
            let value = try parser.value(at: 3)
            switch key {
            case "name": name = try string(value, field: field(key))
            case "kind": kind = try string(value, field: field(key))
            case "value": observation.value = try number(value, field: field(key))
            case "unit": observation.unit = try string(value, field: field(key))
            case "status": observation.status = try string(value, field: field(key))
            case "error": observation.error = try string(value, field: field(key))
            case "every": observation.every = try integer(value, field: field(key))
            case "grace": observation.grace = try integer(value, field: field(key))
            case "details":
                switch value {
                case .null: observation.details = nil
                case .object(let object): observation.details = object
                default: throw APIError(.badRequest, "has the wrong type; expected an object", field: field(key))
                }
            default: break
            }
        }
        guard let name else { throw APIError(.badRequest, "is missing", field: field("name")) }
        guard let kind else { throw APIError(.badRequest, "is missing", field: field("kind")) }
        observation.name = name
        observation.kind = kind
        return observation
    }

    private static func tags(_ value: JSONValue) throws(APIError) -> [String]? {
        switch value {
        case .null: return nil
        case .array(let items):
            var tags: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let tag) = item else { throw APIError(.badRequest, "has the wrong type; expected a string", field: "tags[\(index)]") }
                tags.append(tag)
            }
            return tags
        default: throw APIError(.badRequest, "has the wrong type; expected an array of strings", field: "tags")
        }
    }

    private static func string(_ value: JSONValue, field: @autoclosure () -> String) throws(APIError) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        default: throw APIError(.badRequest, "has the wrong type; expected a string", field: field())
        }
    }

    private static func number(_ value: JSONValue, field: @autoclosure () -> String) throws(APIError) -> Double? {
        switch value {
        case .null: return nil
        case .number(let number): return number
        default: throw APIError(.badRequest, "has the wrong type; expected a number", field: field())
        }
    }

    private static func integer(_ value: JSONValue, field: @autoclosure () -> String) throws(APIError) -> Int? {
        guard let number = try number(value, field: field()) else { return nil }
        guard let whole = Int(exactly: number) else { throw APIError(.badRequest, "must be a whole number", field: field()) }
        return whole
    }

    static func parse(_ body: ByteBuffer) throws(APIError) -> JSONValue {
        let result = body.withUnsafeReadableBytes { bytes in Result { () throws(JSONParser.Failure) in try JSONParser.parse(bytes) } }
        switch result {
        case .success(let value): return value
        case .failure(let failure): throw notJSON(failure)
        }
    }
}
