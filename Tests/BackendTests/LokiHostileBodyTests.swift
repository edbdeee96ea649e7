import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import TestSupport
import Testing
@testable import Backend

/// Protobuf pushes that are broken or hostile: each gets a 4xx naming what is wrong, nothing
/// crashes, and what was good in a push that parses is stored.
@Suite struct LokiHostileBodyTests {
    typealias P = LokiProtobufTests
    typealias H = IngestHTTPTests

    static func answer(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
    }

    @Test func aSnappyBombIsRefusedFromItsHeaderAndBadVarintsAreNamed() async throws {
        try await P.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers("Bearer \(h.hostToken)"),
                                         body: ByteBuffer(bytes: try P.body("bomb.snappy"))) { response in
                    #expect(response.status == .contentTooLarge)
                    #expect(H.error(response).field == "body")
                    #expect(H.error(response).error.contains("4294967295"))
                }
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers("Bearer \(h.hostToken)"),
                                         body: ByteBuffer(bytes: try P.body("bad-varint.snappy"))) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == "streams[0]")
                    #expect(H.error(response).error.contains("varint"))
                }
                // JSON sent without its Content-Type is read as protobuf, as Loki reads it, and told so.
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers("Bearer \(h.hostToken)", type: nil),
                                         body: ByteBuffer(string: LokiPushTests.body(at: 1_796_083_200))) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).error.contains("Content-Type: application/json"))
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 10)).isEmpty)
        }
    }

    /// 10,000 labels: the label text is longer than 64 KiB and not read; 100 labels: read up to the
    /// 65th. Each refuses its stream, naming it, with its entry counted; the stream beside it is stored.
    @Test(arguments: [("labels-10000.snappy", "is longer than 65536 bytes"), ("labels-100.snappy", "has more than 64 labels")])
    func tooManyLabelsRefuseTheirStreamNamingIt(body: String, error: String) async throws {
        try await P.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers("Bearer \(h.hostToken)"),
                                         body: ByteBuffer(bytes: try P.body(body))) { response in
                    #expect(response.status == .badRequest)
                    let answer = Self.answer(response)
                    #expect(answer["field"] as? String == "streams[0].labels")
                    #expect((answer["error"] as? String)?.contains(error) == true, "\(answer)")
                    #expect(answer["rejected"] as? Int == 1)
                    #expect(answer["stored"] as? Int == 1)
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 10)).map(\.message) == ["kept"])
        }
    }

    /// Entries past the limit are refused by count, each named; the ones before it are stored.
    @Test func entriesPastTheLimitAreRefusedAndTheRestStored() async throws {
        try await H.withHarness({ $0.journalRetention = TimeSpan(seconds: 10 * 365 * 86400); $0.maxJournalEntries = 2 }) { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers("Bearer \(h.hostToken)"),
                                         body: ByteBuffer(bytes: try P.body("promtail.snappy"))) { response in
                    #expect(response.status == .badRequest)
                    let answer = Self.answer(response)
                    #expect(answer["field"] as? String == "streams[1].entries[0]")
                    #expect((answer["error"] as? String)?.contains("more than 2 entries in one push") == true)
                    #expect(answer["stored"] as? Int == 2)
                    #expect(answer["rejected"] as? Int == 1)
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 10)).count == 2)
        }
    }

    /// Mutated golden bodies, snappy's bytes and the protobuf inside, thrown at the decoders and
    /// at the route: every one ends in a batch or a named failure, and the route answers 204 or a 4xx.
    @Test func mutatedBodiesNeverCrashAndGetAnAnswer() async throws {
        var random = SeededGenerator(seed: 25)
        let goldens = try ["promtail.snappy", "alloy.snappy"].map { try P.body($0) }
        let inner = try goldens.map { try Snappy.decompress($0, limit: 1 << 20) }
        var bodies: [[UInt8]] = []
        for round in 0..<3000 {
            if round % 2 == 0 {
                bodies.append(random.mutate(goldens[round / 2 % goldens.count]))
            } else {
                bodies.append(SnappyTests.literal(random.mutate(inner[round / 2 % inner.count])))
            }
        }
        let limits = JournalLimits(maxEntries: 50, maxFieldLength: 256, maxExtraFields: 64, retention: TimeSpan(seconds: 10 * 365 * 86400))
        let now = Date(timeIntervalSince1970: 1_796_083_300)
        var parsed = 0
        for body in bodies {
            do {
                let protobuf = try Snappy.decompress(body, limit: 1 << 20)
                _ = try LokiProtobufReader.read(protobuf, tokenHost: nil, limits: limits, now: now)
                parsed += 1
            } catch is Snappy.Failure {
            } catch is LokiProtobufReader.Failure {
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        // Some mutations leave a push that parses, and some break it: both paths were taken.
        #expect(parsed > 100 && parsed < bodies.count - 100, "\(parsed) of \(bodies.count) parsed")
        let sample = Array(bodies.prefix(300))
        try await P.withHarness { h in
            try await h.app.test(.router) { client in
                for body in sample {
                    try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers("Bearer \(h.allToken)"), body: ByteBuffer(bytes: body)) { response in
                        #expect([.noContent, .badRequest, .contentTooLarge].contains(response.status), "\(response.status): \(String(buffer: response.body))")
                    }
                }
            }
        }
    }
}

extension SeededGenerator {
    /// Flips, cuts, duplicates, inserts or maxes out a few bytes.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &self) {
            guard !out.isEmpty else { out = [UInt8.random(in: 0...255, using: &self)]; continue }
            let at = Int.random(in: 0..<out.count, using: &self)
            switch Int.random(in: 0..<6, using: &self) {
            case 0: out[at] = UInt8.random(in: 0...255, using: &self)
            case 1: out = Array(out[..<at])
            case 2: out.insert(contentsOf: out[at..<min(out.count, at + Int.random(in: 1...16, using: &self))], at: at)
            case 3: out.insert(contentsOf: (0..<Int.random(in: 1...12, using: &self)).map { _ in UInt8.random(in: 0...255, using: &self) }, at: at)
            case 4: out[at] = 0xFF
            default: out[at] ^= 0x80
            }
        }
        return out
    }
}
