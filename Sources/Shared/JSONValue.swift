/// Any JSON value. Observation details are free-form so that a newer sender's extra fields
/// survive a round trip through an older backend.
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Nesting depth: a scalar is 0. Bounded by validation so hostile input cannot blow the stack later.
    public var depth: Int {
        switch self {
        case .array(let values): return 1 + (values.map(\.depth).max() ?? 0)
        case .object(let values): return 1 + (values.values.map(\.depth).max() ?? 0)
        default: return 0
        }
    }

    /// The first non-finite number inside, with its path, if any. Subtrees without one are
    /// skipped before any path is built: this runs on every observation's details.
    func firstNonFinite(path: String) -> String? {
        guard containsNonFinite else { return nil }
        switch self {
        case .number(let value): return value.isFinite ? nil : path
        case .array(let values):
            for (index, value) in values.enumerated() {
                if let bad = value.firstNonFinite(path: "\(path)[\(index)]") { return bad }
            }
            return nil
        case .object(let values):
            for key in values.keys.sorted() {
                if let bad = values[key]?.firstNonFinite(path: "\(path).\(key)") { return bad }
            }
            return nil
        default: return nil
        }
    }

    var containsNonFinite: Bool {
        switch self {
        case .number(let value): return !value.isFinite
        case .array(let values): return values.contains { $0.containsNonFinite }
        case .object(let values): return values.values.contains { $0.containsNonFinite }
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}
