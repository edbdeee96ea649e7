import Shared
@testable import Sender
import Testing

@Suite struct TOMLTests {
    @Test func parsesTheDocumentedExample() throws {
        let values = try TOML.parse(ConfigFile.example)
        #expect(values["url"] == .string("https://metrics.example.com"))
        #expect(values["collectors"] == .array([.string("memory"), .string("disk"), .string("raid"), .string("container")]))
        #expect(values["disk.exclude_mounts"] == .array([.string("/var/lib/docker/*")]))
        #expect(values["container.socket"] == .string("/var/run/docker.sock"))
    }

    @Test func valuesOfEveryKind() throws {
        let values = try TOML.parse("""
            # comment
            a = "x\\ty \\u00e9" # trailing
            b = 'C:\\raw'
            c = 1_000
            d = 2.5
            e = true
            f = [
              "one",  # inside
              "two",
            ]
            [t.u]
            "quoted key" = false
            """)
        #expect(values["a"] == .string("x\ty é"))
        #expect(values["b"] == .string("C:\\raw"))
        #expect(values["c"] == .integer(1000))
        #expect(values["d"] == .float(2.5))
        #expect(values["e"] == .bool(true))
        #expect(values["f"] == .array([.string("one"), .string("two")]))
        #expect(values["t.u.quoted key"] == .bool(false))
    }

    @Test(arguments: [
        ("url = https://x", 1), ("a = \"open", 1), ("\n\na = 1\na = 2", 4), ("[[arr]]", 1), ("a = 1 b", 1), ("= 1", 1),
        ("a = [1, 2", 1), ("a = \"\\q\"", 1),
    ])
    func errorsNameTheLine(text: String, line: Int) {
        #expect(throws: TOMLError.self) { try TOML.parse(text) }
        do { _ = try TOML.parse(text) } catch { #expect(error.line == line) }
    }
}
