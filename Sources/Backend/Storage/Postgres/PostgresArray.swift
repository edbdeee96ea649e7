import NIOCore
import PostgresNIO

/// A one-dimensional array in PostgreSQL's binary format, written and read in one loop specialised
/// for its element. PostgresNIO's own array coding goes through generic code and a buffer slice
/// per element, which showed in ingest's profile: a batch binds thousands of elements, and its
/// answer holds an array per host.
struct PostgresArray<Element: PostgresArrayElement>: PostgresNonThrowingEncodable, PostgresDecodable {
    var elements: [Element]

    init(_ elements: [Element]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.arrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)  // dimensions
        buffer.writeInteger(0, as: Int32.self)  // no NULLs
        buffer.writeInteger(Element.elementType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)  // lower bound
        for element in elements { element.write(to: &buffer) }
    }

    /// Arrays without NULLs only, as the statements that answer with them guarantee.
    init<JSONDecoder: PostgresJSONDecoder>(from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>) throws {
        guard format == .binary, type == Element.arrayType,
              let (dimensions, hasNulls, element) = buffer.readMultipleIntegers(as: (Int32, Int32, UInt32).self),
              hasNulls == 0, element == Element.elementType.rawValue else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        guard dimensions == 1 else {
            guard dimensions == 0 else { throw PostgresDecodingError.Code.failure }
            elements = []
            return
        }
        guard let (count, _) = buffer.readMultipleIntegers(as: (Int32, Int32).self), count >= 0 else {
            throw PostgresDecodingError.Code.failure
        }
        elements = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = buffer.readInteger(as: Int32.self), length >= 0,
                  let element = Element.read(from: &buffer, length: Int(length)) else {
                throw PostgresDecodingError.Code.failure
            }
            elements.append(element)
        }
    }
}

/// An element with its length prefix, as an array holds it.
protocol PostgresArrayElement {
    static var elementType: PostgresDataType { get }
    static var arrayType: PostgresDataType { get }
    func write(to buffer: inout ByteBuffer)
    /// The element of `length` bytes at the buffer's reader index; nil when they do not hold one.
    static func read(from buffer: inout ByteBuffer, length: Int) -> Self?
}

extension String: PostgresArrayElement {
    static var elementType: PostgresDataType { .text }
    static var arrayType: PostgresDataType { .textArray }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(utf8.count))
        buffer.writeString(self)
    }

    static func read(from buffer: inout ByteBuffer, length: Int) -> String? {
        buffer.readString(length: length)
    }
}

extension Double: PostgresArrayElement {
    static var elementType: PostgresDataType { .float8 }
    static var arrayType: PostgresDataType { .float8Array }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(8))
        buffer.writeInteger(bitPattern)
    }

    static func read(from buffer: inout ByteBuffer, length: Int) -> Double? {
        guard length == 8 else { return nil }
        return buffer.readInteger(as: UInt64.self).map(Double.init(bitPattern:))
    }
}

extension Int64: PostgresArrayElement {
    static var elementType: PostgresDataType { .int8 }
    static var arrayType: PostgresDataType { .int8Array }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(8))
        buffer.writeInteger(self)
    }

    static func read(from buffer: inout ByteBuffer, length: Int) -> Int64? {
        guard length == 8 else { return nil }
        return buffer.readInteger(as: Int64.self)
    }
}
