import Foundation
import Hummingbird
import NIOCore

/// A Loki push's body, read as Loki's `ParseLokiRequest` reads it: Content-Encoding gzip or
/// deflate is unwrapped first (snappy and none pass through), then Content-Type `application/json`
/// is JSON and anything else is protobuf compressed with raw snappy. No Content-Type is protobuf
/// too, as Loki's comment there says (its media-type parse refuses it). Every stage is bounded by `limit`.
enum LokiPushBody {
    case json(ByteBuffer)
    case protobuf([UInt8])

    static func read(_ request: Request, limit: Int, setting: String) async throws -> LokiPushBody {
        let received = try await RequestBody.received(request, limit: limit, setting: setting)
        let body: ByteBuffer
        do {
            switch request.headers[.contentEncoding]?.lowercased() {
            case nil, "", "identity", "snappy": body = received
            case "gzip", "x-gzip": body = try Inflate.gunzip(received, limit: limit)
            case "deflate": body = try Inflate.deflate(received, limit: limit)
            case let other?:
                throw APIError(.unsupportedMediaType, "Content-Encoding '\(other.prefix(40))' is not supported; send gzip, deflate, snappy or none", field: "Content-Encoding")
            }
        } catch let failure as Inflate.Failure {
            if failure == .tooLarge { throw RequestBody.tooLarge(limit, setting) }
            throw APIError(.badRequest, "the body is not valid \(request.headers[.contentEncoding] ?? "")", field: "Content-Encoding")
        }
        if mediaType(request.headers[.contentType]) == "application/json" { return .json(body) }
        do {
            return .protobuf(try Snappy.decompress(Array(body.readableBytesView), limit: limit))
        } catch .tooLarge(let declared) {
            throw APIError(.contentTooLarge, "the body's snappy header declares \(declared) bytes, more than \(limit); send less at once or raise \(setting)", field: "body")
        } catch .corrupt(let why) {
            let hint = body.readableBytesView.first == UInt8(ascii: "{") ? "; a JSON body needs Content-Type: application/json" : ""
            throw APIError(.badRequest, "the body is not a snappy-compressed Loki protobuf push: \(why)\(hint)", field: "body")
        }
    }

    /// The media type without parameters, lower-cased, as Go's `mime.ParseMediaType` gives it.
    static func mediaType(_ header: String?) -> String {
        guard let header else { return "" }
        let base = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return base.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
