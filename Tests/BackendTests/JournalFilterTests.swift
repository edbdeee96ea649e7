import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Backend

/// The journal's filters, read once for the API and the page: the same names and numbers, the
/// same times, and problems that name their parameter.
@Suite struct JournalFilterTests {
    typealias H = IngestHTTPTests
    typealias P = PagesHTTPTests
    typealias F = JournalFixtures

    static func filter(_ query: [String: String]) -> JournalFilter { JournalFilter { query[$0] } }

    @Test func aPriorityIsANumberOrASyslogName() {
        #expect(Self.filter(["priority": "3"]).query.maxPriority == 3)
        #expect(Self.filter(["priority": "err"]).query.maxPriority == 3)
        #expect(Self.filter(["priority": "WARNING"]).query.maxPriority == 4)
        for bad in ["8", "-1", "loud"] {
            let filter = Self.filter(["priority": bad])
            #expect(filter.query.maxPriority == nil && filter.problems.map(\.field) == ["priority"], "\(bad)")
        }
    }

    @Test func everyBadParameterIsAProblemNamingIt() {
        let filter = Self.filter(["host": String(repeating: "h", count: 300), "unit": "a\u{0}b", "from": "yesterday", "limit": "0", "before": "1-1", "after": "1-1"])
        #expect(filter.problems.map(\.field) == ["host", "unit", "from", "limit", "after"])
        #expect(filter.problems[2].message.hasPrefix("'yesterday' is not a date and time"))
        #expect(Self.filter(["from": "200", "to": "100"]).problems == [JournalFilter.Problem(field: "from", message: "must not be after 'to'")])
        #expect(Self.filter(["before": "abc"]).problems.map(\.field) == ["before"])
        #expect(Self.filter([:]).problems.isEmpty && Self.filter([:]).query == JournalQuery())
    }

    @Test func timesWithoutAZoneAreAtTheGivenOffset() {
        let utc = Self.filter(["from": "2026-11-23T10:30"]).query.from
        let berlin = Self.filter(["from": "2026-11-23T11:30", "tz": "60"]).query.from
        #expect(utc != nil && utc == berlin)
        #expect(Self.filter(["to": "1795400000"]).query.to == Date(timeIntervalSince1970: 1_795_400_000))
        #expect(Self.filter(["to": "2026-11-23T10:30:00Z"]).query.to == utc)
    }

    /// Lines at priorities 6 and 3 on db-1, and a logged-in browser.
    static func withLines(_ body: @escaping @Sendable (IngestHTTPTests.Harness, any TestClientProtocol, P.Browser) async throws -> Void) async throws {
        try await P.withPages { h in
            let base = F.ago(600)
            let lines: String = (0..<6).map { (i: Int) -> String in
                let line: String = F.line(Int64(i + 1), at: base + Int64(i) * 1_000_000, message: "line \(i)")
                let priority: String = i % 2 == 0 ? #""priority":3"# : #""priority":6"#
                return line.replacingOccurrences(of: #""priority":6"#, with: priority)
            }.joined(separator: "\n")
            try await h.app.test(.router) { client in
                let stored = try await client.execute(uri: "/api/v1/journal?host=db-1", method: .post, headers: JournalHTTPTests.ndjson(h.allToken), body: ByteBuffer(string: lines))
                #expect(stored.status == .ok)
                let browser = try #require(try await P.login(client).browser)
                try await body(h, client, browser)
            }
        }
    }

    @Test func thePageTakesPriorityNamesAsTheAPIDoes() async throws {
        try await Self.withLines { h, client, browser in
            for priority in ["err", "3"] {
                let page = try await client.execute(uri: "/journal?host=db-1&priority=\(priority)", method: .get, headers: browser.headers)
                #expect(page.status == .ok, "\(priority)")
                let html = String(buffer: page.body)
                #expect(html.components(separatedBy: "<tr class=\"entry").count - 1 == 3, "\(priority)")
                #expect(html.contains(#"<option value="3" selected>"#), "\(priority)")
                let api = try await client.execute(uri: "/api/v1/journal?host=db-1&priority=\(priority)", method: .get, headers: H.bearer(h.allToken))
                #expect((JournalHTTPTests.object(api)["entries"] as? [Any])?.count == 3, "\(priority)")
            }
            let bad = try await client.execute(uri: "/journal?priority=loud", method: .get, headers: browser.headers)
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("priority must be 0 to 7 or a name"))
        }
    }

    @Test func theAPITakesTheBrowsersLocalTimesAsThePageDoes() async throws {
        try await Self.withLines { h, client, browser in
            // An hour ago, written as a browser two hours east of UTC would.
            let local = JournalPageController.localInput(Date().addingTimeInterval(-3600), offsetMinutes: 120)
            let api = try await client.execute(uri: "/api/v1/journal?host=db-1&tz=120&from=\(local)", method: .get, headers: H.bearer(h.allToken))
            #expect(api.status == .ok, "\(String(buffer: api.body))")
            #expect((JournalHTTPTests.object(api)["entries"] as? [Any])?.count == 6)
            let page = try await client.execute(uri: "/journal?host=db-1&tz=120&from=\(local)", method: .get, headers: browser.headers)
            #expect(String(buffer: page.body).components(separatedBy: "<tr class=\"entry").count - 1 == 6)
            // The page takes any page size the API does.
            let small = try await client.execute(uri: "/journal?host=db-1&limit=2", method: .get, headers: browser.headers)
            #expect(String(buffer: small.body).components(separatedBy: "<tr class=\"entry").count - 1 == 2)
        }
    }
}
