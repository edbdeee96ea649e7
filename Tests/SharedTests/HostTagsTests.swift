import Foundation
import Shared
import Testing

@Suite struct HostTagsTests {
    func field(_ tags: [String]?) -> String? {
        let report = Report(host: "web-1", sentAt: Date(timeIntervalSince1970: 1_795_000_000), tags: tags, observations: [])
        do {
            try report.validate()
            return nil
        } catch {
            return error.field
        }
    }

    @Test func reportsNameTheBadTag() {
        #expect(field(nil) == nil)
        #expect(field([]) == nil)
        #expect(field(["db", "eu-west.1", "role:primary", "A_b"]) == nil)
        #expect(field(["db", "bad tag"]) == "tags[1]")
        #expect(field(["db,eu"]) == "tags[0]")
        #expect(field([""]) == "tags[0]")
        #expect(field([String(repeating: "a", count: HostTags.maxLength + 1)]) == "tags[0]")
        #expect(field(["db", "db"]) == "tags[1]")
        #expect(field((0...HostTags.maxCount).map { "t\($0)" }) == "tags")
        // Unprintable input is described, not echoed: the error stays one line.
        #expect(throws: ValidationError(field: "tags[0]", message: "a word of 8 bytes with characters other than printable ASCII is not a tag: use 1 to 40 letters, digits, '-', '_', '.' or ':'")) {
            try HostTags.check(["a\nb\u{1b}[31m"], field: "tags")
        }
    }
}
