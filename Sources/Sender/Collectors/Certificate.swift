#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// What the expiry check needs of an X.509 certificate.
struct CertificateInfo: Equatable, Sendable {
    var notAfter: Date
    /// The subject's common name, when it has one.
    var commonName: String?
}

struct CertificateError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// PEM or DER in, certificates out: a small DER walk to `validity` and `subject`, no TLS library.
/// Pure; every length is checked against the bytes that are there.
enum Certificate {
    /// A bundle longer than this is not a certificate file someone meant to watch.
    static let maxCertificates = 100

    /// Every certificate of a PEM file (a chain: leaf, intermediates), or the one of a DER file.
    static func parse(_ bytes: [UInt8]) throws(CertificateError) -> [CertificateInfo] {
        let begin = Array("-----BEGIN CERTIFICATE-----".utf8), end = Array("-----END CERTIFICATE-----".utf8)
        guard var start = find(begin, in: bytes, from: 0) else {
            guard bytes.first == 0x30 else { throw CertificateError(message: "holds no PEM certificate (no -----BEGIN CERTIFICATE----- line) and is not DER") }
            return [try parseDER(bytes)]
        }
        var result: [CertificateInfo] = []
        while result.count < maxCertificates {
            let bodyStart = start + begin.count
            guard let stop = find(end, in: bytes, from: bodyStart) else { throw CertificateError(message: "has a certificate without its END line") }
            let body = bytes[bodyStart..<stop].filter { $0 > 32 }
            guard let der = Data(base64Encoded: Data(body)) else { throw CertificateError(message: "has a certificate that is not base64") }
            result.append(try parseDER(Array(der)))
            guard let next = find(begin, in: bytes, from: stop + end.count) else { break }
            start = next
        }
        return result
    }

    /// Where `needle` first occurs in `bytes` at or after `from`.
    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = from
        while index <= bytes.count - needle.count {
            if bytes[index] == first && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
    /// signature, issuer, validity SEQUENCE { notBefore, notAfter }, subject, … }, … }
    static func parseDER(_ bytes: [UInt8]) throws(CertificateError) -> CertificateInfo {
        var outer = DER(bytes[...])
        var certificate = try outer.enter(0x30, "certificate")
        var tbs = try certificate.enter(0x30, "tbsCertificate")
        if tbs.peek == 0xA0 { _ = try tbs.next("version") }
        _ = try tbs.next("serialNumber")
        _ = try tbs.next("signature")
        _ = try tbs.next("issuer")
        var validity = try tbs.enter(0x30, "validity")
        _ = try validity.next("notBefore")
        let notAfter = try validity.next("notAfter")
        guard let date = time(tag: notAfter.tag, notAfter.body) else { throw CertificateError(message: "has a notAfter that is not a time") }
        let subject = try? tbs.enter(0x30, "subject")
        return CertificateInfo(notAfter: date, commonName: subject.flatMap(commonName))
    }

    /// The first CN (2.5.4.3) of a Name: SEQUENCE OF SET OF SEQUENCE { OID, value }.
    private static func commonName(_ name: DER) -> String? {
        var name = name
        while let set = try? name.enter(0x31, "rdn") {
            var set = set
            while var pair = try? set.enter(0x30, "attribute") {
                guard let oid = try? pair.next("oid"), let value = try? pair.next("value") else { break }
                if oid.tag == 0x06, oid.body.elementsEqual([0x55, 0x04, 0x03]) {
                    return PrintableName.escape(value.body.prefix(200))
                }
            }
        }
        return nil
    }

    /// UTCTime `YYMMDDHHMMSSZ` (years 1950–2049) or GeneralizedTime `YYYYMMDDHHMMSSZ`.
    static func time(tag: UInt8, _ body: ArraySlice<UInt8>) -> Date? {
        let text = String(decoding: body, as: UTF8.self)
        guard text.hasSuffix("Z"), text.dropLast().allSatisfy(\.isASCII), text.dropLast().allSatisfy(\.isNumber) else { return nil }
        let digits = Array(text.dropLast()).map { Int(String($0)) ?? 0 }
        func number(_ from: Int, _ count: Int) -> Int { digits[from..<(from + count)].reduce(0) { $0 * 10 + $1 } }
        let year: Int, offset: Int
        switch (tag, digits.count) {
        case (0x17, 12):
            let short = number(0, 2)
            year = short >= 50 ? 1900 + short : 2000 + short
            offset = 2
        case (0x18, 14):
            year = number(0, 4)
            offset = 4
        default: return nil
        }
        let month = number(offset, 2), day = number(offset + 2, 2)
        let hour = number(offset + 4, 2), minute = number(offset + 6, 2), second = number(offset + 8, 2)
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm): no calendar needed.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86400 + hour * 3600 + minute * 60 + second))
    }
}

extension Certificate {
    /// `2025-02-01T00:00:00Z`, written by hand: Foundation's ISO 8601 style sets up calendars that
    /// cost a collect run more than reading the certificate.
    static func iso8601(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let second = total - days * 86400
        // The civil date of a day count (Howard Hinnant's algorithm), the inverse of `time`.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60))Z"
    }
}

/// A cursor over DER elements (tag, length, body); it never reads past what it was given.
struct DER {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var peek: UInt8? { bytes.first }

    mutating func next(_ what: String) throws(CertificateError) -> (tag: UInt8, body: ArraySlice<UInt8>) {
        let bad = CertificateError(message: "is not a DER certificate (\(what) is cut short or malformed)")
        var index = bytes.startIndex
        guard index < bytes.endIndex else { throw bad }
        let tag = bytes[index]
        index += 1
        guard index < bytes.endIndex else { throw bad }
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard (1...4).contains(count), bytes.endIndex - index >= count else { throw bad }
            length = bytes[index..<(index + count)].reduce(0) { $0 << 8 | Int($1) }
            index += count
        }
        guard length >= 0, bytes.endIndex - index >= length else { throw bad }
        let body = bytes[index..<(index + length)]
        bytes = bytes[(index + length)...]
        return (tag, body)
    }

    mutating func enter(_ tag: UInt8, _ what: String) throws(CertificateError) -> DER {
        let element = try next(what)
        guard element.tag == tag else { throw CertificateError(message: "is not a DER certificate (\(what) has tag \(element.tag))") }
        return DER(element.body)
    }
}
