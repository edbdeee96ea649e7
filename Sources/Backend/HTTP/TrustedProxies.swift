import Foundation
import HTTPTypes

/// `TRUSTED_PROXIES`: the reverse proxies whose `X-Forwarded-For` is believed. Behind a proxy
/// every client seems to come from it, so per-address limits would lump every user together;
/// but a header from anyone else is the client's own word, and ignored.
struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixBits: Int
    }

    var ranges: [Range] = []

    static let none = TrustedProxies()
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    struct ParseError: Error { var message: String }

    /// Comma- or space-separated addresses and CIDR ranges: `127.0.0.1, ::1, 10.0.0.0/8`.
    init(parsing text: String) throws(ParseError) {
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = Self.bytes(of: String(parts[0])) else {
                throw ParseError(message: "'\(item.prefix(60))' is not an IP address or CIDR range such as 10.0.0.0/8")
            }
            let bits = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let bits, (0...bytes.count * 8).contains(bits) else {
                throw ParseError(message: "'\(item.prefix(60))' has a prefix length outside 0–\(bytes.count * 8)")
            }
            ranges.append(Range(bytes: bytes, prefixBits: bits))
        }
    }

    init() {}

    func contains(_ address: String) -> Bool {
        guard !ranges.isEmpty, let bytes = Self.bytes(of: address) else { return false }
        return ranges.contains { range in
            guard range.bytes.count == bytes.count else { return false }
            let whole = range.prefixBits / 8, rest = range.prefixBits % 8
            guard range.bytes[..<whole] == bytes[..<whole] else { return false }
            guard rest > 0 else { return true }
            let mask = UInt8(0xFF) << (8 - rest)
            return range.bytes[whole] & mask == bytes[whole] & mask
        }
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
    /// address in `X-Forwarded-For` (read from the right) that is not a trusted proxy itself.
    func client(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard Self.bytes(of: hop) != nil else { break }  // a garbled hop: trust nothing beyond it
            client = hop
            if !contains(hop) { break }
        }
        return client
    }

    /// An address's bytes: 4 for IPv4 (also when written as IPv4-mapped IPv6), 16 for IPv6.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
