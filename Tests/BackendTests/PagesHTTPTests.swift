import Foundation
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Shared
import Testing
@testable import Backend

/// Every page over HTTP, in-process, on the embedded store: without a session a redirect to
/// /login, with one the content, and a form without its CSRF token a 403.
@Suite struct PagesHTTPTests {
    static let email = "ops@example.com", password = "correct horse battery"

    /// A logged-in browser: its cookie header and the session's CSRF token.
    struct Browser {
        var cookie: String
        var csrf: String
        var headers: HTTPFields { [.cookie: cookie] }
        var form: HTTPFields { [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"] }
    }

    static func cookies(_ response: TestResponse) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in response.headers[values: .setCookie] {
            let pair = header.prefix { $0 != ";" }.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { cookies[pair[0]] = pair[1] } else if pair.count == 1 { cookies[pair[0]] = "" }
        }
        return cookies
    }

    static func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Logs in through the form, as a browser does.
    static func login(_ client: some TestClientProtocol, email: String = email, password: String = password,
                      presentedSession: String? = nil) async throws -> (response: TestResponse, browser: Browser?) {
        let form = try await client.execute(uri: "/login", method: .get)
        let loginCookie = cookies(form)[WebSessions.loginCookieName] ?? ""
        let csrf = field("_csrf", in: String(buffer: form.body)) ?? ""
        var cookie = "\(WebSessions.loginCookieName)=\(loginCookie)"
        if let presentedSession { cookie += "; \(WebSessions.cookieName)=\(presentedSession)" }
        let body = "_csrf=\(csrf)&email=\(URLText.query(email))&password=\(URLText.query(password))&next=%2Fdashboard"
        let response = try await client.execute(uri: "/login", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: body))
        guard let session = cookies(response)[WebSessions.cookieName], !session.isEmpty else { return (response, nil) }
        let page = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: "\(WebSessions.cookieName)=\(session)"])
        let token = field("_csrf", in: String(buffer: page.body)) ?? ""
        return (response, Browser(cookie: "\(WebSessions.cookieName)=\(session)", csrf: token))
    }

    /// The harness with a user (bcrypt at the lowest cost, to keep tests quick) and two hosts' reports.
    static func withPages(_ adjust: @Sendable (inout BackendConfig) -> Void = { _ in },
                          _ body: @escaping @Sendable (IngestHTTPTests.Harness) async throws -> Void) async throws {
        try await IngestHTTPTests.withHarness(adjust) { h in
            #expect(try await h.store.createUser(email: email, passwordHash: Bcrypt.hash(password, cost: 4), now: Date()))
            let now = Date()
            _ = try await h.domain.ingest.ingest(Report(host: "db-1", sentAt: now, observations: [
                Observation(name: "raid:md0", kind: .raid, status: "degraded", details: [
                    "level": "raid1", "disksRequired": 2, "disksActive": 1, "disksFailed": 1,
                    "members": .array([.object(["device": "sda1", "slot": 0, "state": "active"]), .object(["device": "sdb1", "slot": 1, "state": "faulty"])]),
                ]),
                Observation(name: "disk:/", kind: .disk, value: 55, unit: "%"),
                Observation(name: "<script>alert(1)</script>", kind: .gauge, value: 1),
            ]), receivedAt: now)
            _ = try await h.domain.ingest.ingest(Report(host: "web-1", sentAt: now, observations: [
                Observation(name: "memory", kind: .memory, value: 40, unit: "%"),
            ]), receivedAt: now)
            try await body(h)
        }
    }

    static let pages = ["/dashboard", "/hosts/db-1", "/journal", "/flips", "/maintenance", "/tokens", "/channels", "/checks/new", "/sparkline.svg?host=db-1&name=disk%3A%2F"]

    @Test func withoutASessionEveryPageRedirectsToLogin() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                for page in Self.pages {
                    try await client.execute(uri: page, method: .get) { response in
                        #expect(response.status == .seeOther, "\(page)")
                        #expect(response.headers[.location] == "/login?next=" + URLText.query(page), "\(page)")
                    }
                }
                // A made-up or expired cookie is no session either.
                try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: "\(WebSessions.cookieName)=\(String(repeating: "a", count: 64))"]) { response in
                    #expect(response.status == .seeOther)
                }
            }
        }
    }

    @Test func withASessionEveryPageShowsItsContent() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let (response, browser) = try await Self.login(client)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/dashboard")
                let setCookie = response.headers[values: .setCookie].first { $0.hasPrefix(WebSessions.cookieName + "=") } ?? ""
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
                #expect(!setCookie.contains("Secure"), "plain http without PUBLIC_URL https")
                let b = try #require(browser)
                let expected: [String: [String]] = [
                    "/dashboard": ["id=\"checks\"", "data-name=\"raid:md0\"", "db-1", "web-1", "silence-1h"],
                    "/hosts/db-1": ["id=\"host-name\">db-1", "sdb1", "faulty", "class=\"chart\"", "/journal?host=db-1"],
                    "/journal": ["id=\"journal-filters\"", "live-tail"],
                    "/flips": ["raid:md0", "Journal ±5 min"],
                    "/tokens": ["id=\"token-form\"", "all hosts", "web-1"],
                    "/channels": ["id=\"channels\"", "id=\"no-channels\"", "href=\"/channels\" aria-current=\"page\""],
                    "/checks/new": ["id=\"heartbeat-form\""],
                    "/sparkline.svg?host=db-1&name=disk%3A%2F": ["<svg", "<path d=\"M"],
                ]
                for (page, needles) in expected {
                    try await client.execute(uri: page, method: .get, headers: b.headers) { response in
                        #expect(response.status == .ok, "\(page)")
                        let text = String(buffer: response.body)
                        for needle in needles { #expect(text.contains(needle), "\(page) lacks \(needle)") }
                        #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                    }
                }
                // Alerts come first.
                let dashboard = String(buffer: try await client.execute(uri: "/dashboard", method: .get, headers: b.headers).body)
                let firstRow = dashboard.range(of: "<tr class=\"check ").map { String(dashboard[$0.upperBound...].prefix(80)) } ?? ""
                #expect(firstRow.contains("state-alert\" data-host=\"db-1\" data-name=\"raid:md0\""), "first row: \(firstRow)")
                // Filters stay in the URL and apply.
                let filtered = String(buffer: try await client.execute(uri: "/dashboard?state=ok&host=web-1", method: .get, headers: b.headers).body)
                #expect(filtered.contains("data-name=\"memory\"") && !filtered.contains("data-name=\"raid:md0\""))
            }
        }
    }

    @Test func aBigFleetShowsItsHundredWorstHostsAndPagesItsChecks() async throws {
        try await Self.withPages { h in
            let now = Date()
            for index in 0..<120 {
                let observations = (0..<2).map { Observation(name: "disk:/d\($0)", kind: .disk, value: index == 77 ? 99 : 10, unit: "%") }
                _ = try await h.domain.ingest.ingest(Report(host: String(format: "node-%03d", index), sentAt: now, observations: observations), receivedAt: now)
            }
            try await h.app.test(.router) { client in
                let b = try #require(try await Self.login(client).browser)
                let page = String(buffer: try await client.execute(uri: "/dashboard", method: .get, headers: b.headers).body)
                let summary = page.components(separatedBy: "<table id=\"summary\">")[1].components(separatedBy: "</table>")[0]
                #expect(summary.components(separatedBy: "<tr class=\"state-").count - 1 == 100)
                // The hosts with alerts come first: db-1 (degraded RAID) and node-077 (two full disks).
                #expect(summary.range(of: "node-077")!.lowerBound < summary.range(of: "db-1")!.lowerBound)
                #expect(page.contains("id=\"all-hosts\"") && page.contains("22 more"))
                #expect(page.contains("1–200 of 366") && page.contains("rel=\"next\""))
                let all = String(buffer: try await client.execute(uri: "/dashboard?hosts=all&page=2", method: .get, headers: b.headers).body)
                #expect(all.components(separatedBy: "<table id=\"summary\">")[1].components(separatedBy: "<tr class=\"state-").count - 1 == 122)
                #expect(all.contains("201–366 of 366") && all.contains("rel=\"prev\"") && !all.contains("rel=\"next\""))
            }
        }
    }

    @Test func namesFromReportsAreEscapedInPages() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await Self.login(client).browser)
                for page in ["/dashboard", "/hosts/db-1"] {
                    let text = String(buffer: try await client.execute(uri: page, method: .get, headers: b.headers).body)
                    #expect(!text.contains("<script>alert(1)"), "\(page)")
                    #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(page)")
                }
            }
        }
    }

    @Test func everyFormWithoutItsCSRFTokenIsRefusedAndChangesNothing() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await Self.login(client).browser)
                let forms = [
                    ("/checks/silence", "host=db-1&name=raid%3Amd0&for=1h"), ("/checks/pause", "host=db-1&name=raid%3Amd0&paused=1"),
                    ("/checks/delete", "host=db-1&name=raid%3Amd0"), ("/checks/new", "host=db-1&name=backup&every=1d"),
                    ("/tokens", "host=db-1"), ("/tokens/revoke", "id=1"), ("/channels/test", "channel=slack"), ("/logout", ""),
                ]
                for (path, body) in forms {
                    for csrf in ["", "&_csrf=" + String(repeating: "0", count: 64)] {
                        try await client.execute(uri: path, method: .post, headers: b.form, body: ByteBuffer(string: body + csrf)) { response in
                            #expect(response.status == .forbidden, "\(path) \(csrf.isEmpty ? "without" : "with a wrong") token")
                        }
                    }
                }
                let raid = try await h.store.checks(host: "db-1", state: nil).first { $0.name == "raid:md0" }
                #expect(raid?.silencedUntil == nil && raid?.paused == false)
                let tokens = try await h.store.tokens()
                #expect(tokens.count == 2 && tokens.allSatisfy { $0.revokedAt == nil })
                // The session still works: logout without a token did not end it.
                #expect(try await client.execute(uri: "/dashboard", method: .get, headers: b.headers).status == .ok)
            }
        }
    }

    @Test func silencePauseAndDeleteWorkWithTheToken() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await Self.login(client).browser)
                let silence = "_csrf=\(b.csrf)&host=db-1&name=raid%3Amd0&for=1h&back=%2Fdashboard%3Fstate%3Dalert"
                let response = try await client.execute(uri: "/checks/silence", method: .post, headers: b.form, body: ByteBuffer(string: silence))
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/dashboard?state=alert")
                let raid = try #require(try await h.store.checks(host: "db-1", state: nil).first { $0.name == "raid:md0" })
                let until = try #require(raid.silencedUntil)
                #expect(abs(until.timeIntervalSinceNow - 3600) < 60)
                // The notice shows once, on the next page.
                let notice = Self.cookies(response)[WebPages.flashCookie] ?? ""
                let page = String(buffer: try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: b.cookie + "; \(WebPages.flashCookie)=\(notice)"]).body)
                #expect(page.contains("id=\"notice\"") && page.contains("Silenced raid:md0 on db-1"))
                #expect(page.contains("silenced until"))
                // A custom duration, then lifting it.
                _ = try await client.execute(uri: "/checks/silence", method: .post, headers: b.form,
                                             body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&name=raid%3Amd0&for=custom&custom=3h"))
                let custom = try await h.store.checks(host: "db-1", state: nil).first { $0.name == "raid:md0" }?.silencedUntil
                #expect(abs((custom?.timeIntervalSinceNow ?? 0) - 3 * 3600) < 60)
                let bad = try await client.execute(uri: "/checks/silence", method: .post, headers: b.form,
                                                   body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&name=raid%3Amd0&for=custom&custom=soon"))
                #expect(bad.status == .badRequest)
                _ = try await client.execute(uri: "/checks/silence", method: .post, headers: b.form,
                                             body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&name=raid%3Amd0&for=lift"))
                #expect(try await h.store.checks(host: "db-1", state: nil).first { $0.name == "raid:md0" }?.silencedUntil == nil)
                // An off-site `back` is ignored.
                let offsite = try await client.execute(uri: "/checks/pause", method: .post, headers: b.form,
                                                       body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&name=raid%3Amd0&paused=1&back=%2F%2Fevil.example"))
                #expect(offsite.headers[.location] == "/dashboard")
                #expect(try await h.store.checks(host: "db-1", state: nil).first { $0.name == "raid:md0" }?.paused == true)
                let deleted = try await client.execute(uri: "/checks/delete", method: .post, headers: b.form,
                                                       body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&name=disk%3A%2F"))
                #expect(deleted.status == .seeOther)
                #expect(try await h.store.checks(host: "db-1", state: nil).contains { $0.name == "disk:/" } == false)
            }
        }
    }

    @Test func heartbeatAndTokenFormsShowWhatTheyMade() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await Self.login(client).browser)
                let made = try await client.execute(uri: "/checks/new", method: .post, headers: b.form,
                                                    body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&name=backup+db&schedule=every&every=1d&grace=1h"))
                #expect(made.status == .created)
                let text = String(buffer: made.body)
                let target = try #require(try await h.store.heartbeats(host: "db-1", slug: "backup-db").first)
                #expect(target.name == "backup db")
                #expect(text.contains("id=\"ping-url\">http://") && text.contains("/ping/"))
                #expect(text.contains("metrics-sender exec &#39;backup db&#39; --every 1d --grace 1h"))
                let cron = try await client.execute(uri: "/checks/new", method: .post, headers: b.form,
                                                    body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&name=nightly&schedule=cron&cron=0+3+*+*+*&timezone=Mars%2FBase"))
                #expect(cron.status == .badRequest)
                #expect(String(buffer: cron.body).contains("timezone"))
                let token = try await client.execute(uri: "/tokens", method: .post, headers: b.form,
                                                     body: ByteBuffer(string: "_csrf=\(b.csrf)&host=db-1&label=new+server"))
                #expect(token.status == .created)
                let body = String(buffer: token.body)
                let shown = try #require(body.range(of: "id=\"new-token\">").map { String(body[$0.upperBound...].prefix { $0 != "<" }) })
                #expect(shown.hasPrefix("mt_") && shown.count == 67)
                let record = try #require(try await h.store.token(hash: TokenHash.of(shown)))
                #expect(record.host == "db-1" && record.label == "new server")
                // Shown once: the list shows only its prefix.
                let list = String(buffer: try await client.execute(uri: "/tokens", method: .get, headers: b.headers).body)
                #expect(!list.contains(shown) && list.contains(record.prefix))
                let revoke = try await client.execute(uri: "/tokens/revoke", method: .post, headers: b.form,
                                                      body: ByteBuffer(string: "_csrf=\(b.csrf)&id=\(record.id)"))
                #expect(revoke.status == .seeOther)
                #expect(try await h.store.token(hash: TokenHash.of(shown))?.revokedAt != nil)
            }
        }
    }

    @Test func logoutEndsTheSessionOnTheServer() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await Self.login(client).browser)
                let out = try await client.execute(uri: "/logout", method: .post, headers: b.form, body: ByteBuffer(string: "_csrf=\(b.csrf)"))
                #expect(out.status == .seeOther && out.headers[.location] == "/login")
                // The old cookie, replayed, is worth nothing: not for pages, not for the API.
                #expect(try await client.execute(uri: "/dashboard", method: .get, headers: b.headers).status == .seeOther)
                #expect(try await client.execute(uri: "/api/v1/hosts", method: .get, headers: b.headers).status == .unauthorized)
            }
        }
    }

    @Test func loginIssuesANewSessionWhateverTheBrowserPresented() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                // An attacker plants a session id in the victim's browser before login.
                let planted = String(repeating: "ab", count: 32)
                let (response, browser) = try await Self.login(client, presentedSession: planted)
                #expect(response.status == .seeOther)
                let b = try #require(browser)
                #expect(!b.cookie.contains(planted))
                #expect(try await h.store.session(idHash: TokenHash.of(planted), now: Date()) == nil)
                // Two logins are two sessions.
                let second = try #require(try await Self.login(client).browser)
                #expect(second.cookie != b.cookie && second.csrf != b.csrf)
            }
        }
    }

    @Test func failedLoginsAreThrottled() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                for _ in 0..<5 {
                    #expect(try await Self.login(client, password: "wrong password!").response.status == .unauthorized)
                }
                // Each further failure locks the key twice as long (1 s, 2 s, 4 s, 8 s …). On a
                // loaded machine a request can outlast a short lock, so guess on, waiting out each
                // lock, until a lock of at least 8 s refuses a guess unchecked; the right password
                // then comes well within it.
                var lock = 0
                for _ in 0..<40 where lock < 8 {
                    let answer = try await Self.login(client, password: "wrong password!").response
                    #expect(answer.status == .tooManyRequests || answer.status == .unauthorized)
                    guard answer.status == .tooManyRequests else { continue }
                    lock = answer.headers[.retryAfter].flatMap { Int($0) } ?? 0
                    if lock < 8 { try await Task.sleep(for: .seconds(lock)) }
                }
                #expect(lock >= 8, "no lock of 8 s came")
                let next = try await Self.login(client).response
                #expect(next.status == .tooManyRequests, "even the right password waits while throttled")
                #expect(next.headers[.retryAfter] != nil)
                #expect(String(buffer: next.body).contains("Too many failed logins"))
                // Another user is not locked out by it.
                #expect(try await Self.login(client, email: "nobody@example.com", password: "whatever12").response.status == .unauthorized)
            }
        }
    }

    @Test func aLoginWithoutItsOwnCSRFCookieIsRefused() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let body = "_csrf=\(String(repeating: "1", count: 64))&email=\(URLText.query(Self.email))&password=\(URLText.query(Self.password))"
                let response = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
                #expect(response.status == .forbidden)
                #expect(Self.cookies(response)[WebSessions.cookieName] == nil)
            }
        }
    }

    @Test func theAPIAcceptsASessionButChangesNeedItsCSRFHeader() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await Self.login(client).browser)
                #expect(try await client.execute(uri: "/api/v1/checks?host=db-1", method: .get, headers: b.headers).status == .ok)
                #expect(try await client.execute(uri: "/api/v1/journal?host=db-1", method: .get, headers: b.headers).status == .ok)
                let uri = "/api/v1/checks/db-1/disk%3A%2F"
                #expect(try await client.execute(uri: uri, method: .delete, headers: b.headers).status == .forbidden)
                var withToken = b.headers
                withToken[HTTPField.Name("X-CSRF-Token")!] = b.csrf
                #expect(try await client.execute(uri: uri, method: .delete, headers: withToken).status == .ok)
            }
        }
    }

    @Test func assetsServeOnlyTheirOwnFiles() async throws {
        try await Self.withPages { h in
            try await h.app.test(.router) { client in
                let css = try await client.execute(uri: "/assets/app.css", method: .get)
                #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
                #expect(try await client.execute(uri: "/assets/app.js", method: .get).status == .ok)
                for uri in ["/assets/../views/login.mustache", "/assets/%2e%2e%2fviews%2flogin.mustache", "/assets/..%2F..%2F..%2Fetc%2Fpasswd",
                            "/assets/%2Fetc%2Fpasswd", "/assets/app.css%00.js", "/assets/.", "/assets/"] {
                    let response = try await client.execute(uri: uri, method: .get)
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(!String(buffer: response.body).contains("root:"), "\(uri)")
                }
            }
        }
    }

    @Test func theJournalPageFiltersAndPagesByKeyset() async throws {
        try await Self.withPages { h in
            let base = Int64(Date().addingTimeInterval(-600).timeIntervalSince1970 * 1_000_000)
            let lines: String = (0..<30).map { (i: Int) -> String in
                let message: String = i % 2 == 0 ? "needle \(i)" : "hay \(i)"
                let at: Int64 = base + Int64(i) * 1_000_000
                return JournalFixtures.line(Int64(i + 1), at: at, message: message) + "\n"
            }.joined()
            try await h.app.test(.router) { client in
                let stored = try await client.execute(uri: "/api/v1/journal?host=db-1", method: .post, headers: IngestHTTPTests.bearer(h.allToken), body: ByteBuffer(string: lines))
                #expect(stored.status == .ok, "\(String(buffer: stored.body))")
                let b = try #require(try await Self.login(client).browser)
                let first = String(buffer: try await client.execute(uri: "/journal?host=db-1&q=needle&limit=50", method: .get, headers: b.headers).body)
                #expect(first.components(separatedBy: "<tr class=\"entry").count - 1 == 15)
                #expect(!first.contains("hay "))
                // Pages of 50 are the smallest size; 15 fit in one, so no older link.
                #expect(!first.contains("id=\"page-older\""))
                let wide = String(buffer: try await client.execute(uri: "/journal?host=db-1&limit=50&from=\(Int(Date().timeIntervalSince1970) - 3600)", method: .get, headers: b.headers).body)
                #expect(wide.components(separatedBy: "<tr class=\"entry").count - 1 == 30)
                let bad = try await client.execute(uri: "/journal?from=yesterday", method: .get, headers: b.headers)
                #expect(bad.status == .badRequest)
                #expect(String(buffer: bad.body).contains("from &#39;yesterday&#39; is not a date and time"))
            }
        }
    }
}

/// The pure pieces the pages rely on.
@Suite struct PageTextTests {
    @Test func localTimesFromTheBrowserUseItsOffset() {
        #expect(JournalPageController.time("2026-11-23T10:30", offsetMinutes: 60) != nil)
        #expect(JournalPageController.time("2026-11-23T09:30:00Z", offsetMinutes: 60) == JournalPageController.time("2026-11-23T10:30", offsetMinutes: 60))
        #expect(JournalPageController.time("1795400000", offsetMinutes: 0) == Date(timeIntervalSince1970: 1_795_400_000))
        #expect(JournalPageController.time("2026-02-30T10:00", offsetMinutes: 0) == nil)
        #expect(JournalPageController.time("10:00", offsetMinutes: 0) == nil)
        #expect(JournalPageController.localInput(Date(timeIntervalSince1970: 1_795_400_000), offsetMinutes: 0) == "2026-11-23T02:13")
    }

    @Test func binaryMessagesAreShownEscaped() {
        #expect(EscapedText.bytes(Array("plain text".utf8)) == "plain text")
        #expect(EscapedText.bytes([0x61, 0x00, 0x1B, 0x5B, 0xFF, 0x62]) == "a\\x00\\x1b[\\xffb")
        #expect(EscapedText.bytes(Array("grüße".utf8)) == "grüße")
        #expect(EscapedText.bytes([0xC3]) == "\\xc3")
    }

    @Test func onlyLocalPathsAreFollowedBack() {
        #expect(URLText.localPath("/dashboard?state=alert") == "/dashboard?state=alert")
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "", "/a\r\nLocation: x",
                    "/\t/evil.example", "/\u{0B}/evil.example", "/x\\..\\evil", "/\u{7F}/evil.example", "/\u{85}/evil.example"] {
            #expect(URLText.localPath(bad) == nil, "\(bad)")
        }
    }

    @Test func chartsBreakAtGapsAndAverageIntoColumns() {
        let from = Date(timeIntervalSince1970: 0), to = Date(timeIntervalSince1970: 100)
        let samples = [0, 1, 2, 80, 81].map { SampleRecord(at: Date(timeIntervalSince1970: Double($0)), value: Double($0)) }
        let buckets = SVGChart.buckets(samples, from: from, to: to, columns: 10)
        #expect(buckets[0] == 1 && buckets[8] == 80.5 && buckets[1] == nil)
        let path = SVGChart.path(buckets, range: 0...100, width: 90, height: 100)
        #expect(path == "M0 99h0.5M80 19.5h0.5")
        #expect(SVGChart.path([1, 2, nil, 3], range: 0...10, width: 30, height: 10) == "M0 9L10 8M30 7h0.5")
        #expect(SVGChart.range([], unit: "%") == 0...100)
        #expect(SVGChart.range([5, 5], unit: nil) == 4...6)
    }

    @Test func aHostWhoseClockIsOffIsWarnedAbout() async throws {
        try await PagesHTTPTests.withPages { h in
            _ = try await h.domain.ingest.ingest(Report(host: "skewed", sentAt: Date().addingTimeInterval(7300), observations: [
                Observation(name: "memory", kind: .memory, value: 10, unit: "%"),
            ]), receivedAt: Date())
            try await h.app.test(.router) { client in
                let browser = try #require(try await PagesHTTPTests.login(client).browser)
                let skewed = String(buffer: try await client.execute(uri: "/hosts/skewed", method: .get, headers: browser.headers).body)
                #expect(skewed.contains("id=\"clock-warning\""))
                #expect(skewed.contains("2 h ahead"))
                let right = String(buffer: try await client.execute(uri: "/hosts/web-1", method: .get, headers: browser.headers).body)
                #expect(!right.contains("clock-warning"))
            }
        }
        #expect(HostPageController.clockWarning(-90)?.contains("1 min behind") == true)
        #expect(HostPageController.clockWarning(59) == nil && HostPageController.clockWarning(nil) == nil)
    }
}
