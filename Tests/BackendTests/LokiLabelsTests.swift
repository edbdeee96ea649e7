import Testing
@testable import Backend

/// Label texts as Promtail (Go's strconv.Quote), Vector (", " and no escaping) and Prometheus'
/// quoted names write them, and what is refused.
@Suite struct LokiLabelsTests {
    static func parse(_ text: String, maxLabels: Int = 64) throws(LokiLabels.Failure) -> [String] {
        try LokiLabels.parse(Array(text.utf8), maxLabels: maxLabels, maxLength: 1024).map { "\($0.name)=\($0.value)" }
    }

    @Test func goQuotedValuesAndEveryWritersSpacing() throws {
        #expect(try Self.parse(#"{filename="/var/log/syslog", job="varlogs"}"#) == ["filename=/var/log/syslog", "job=varlogs"])
        #expect(try Self.parse(#"{a="1",b="2"}"#) == ["a=1", "b=2"])
        #expect(try Self.parse(" { } ") == [])
        #expect(try Self.parse(#"{v="tab\there \"q\" back\\slash \x41\101\u00e9\U0001F600 nl\n"}"#) == ["v=tab\there \"q\" back\\slash AAé😀 nl\n"])
        #expect(try Self.parse("{v=`raw \\n`}") == ["v=raw \\n"])
        #expect(try Self.parse(#"{"service.name"="x", _a1="y"}"#) == ["service.name=x", "_a1=y"])
    }

    @Test func refusalsSayWhatIsWrong() {
        let bad = [#"host="x""#, #"{host="x""#, #"{host=x}"#, #"{host="x"} trailing"#, #"{1host="x"}"#, #"{host="\q"}"#,
                   #"{host="\400"}"#, #"{host="\uD800"}"#, #"{host="\xff"}"#, #"{a="1", a="2"}"#, #"{a="1",}"#, "{a=\"new\nline\"}", ""]
        for text in bad {
            #expect(throws: LokiLabels.Failure.self, "\(text)") { try Self.parse(text) }
        }
        #expect(throws: LokiLabels.Failure(message: "has more than 2 labels")) { try Self.parse(#"{a="1", b="2", c="3"}"#, maxLabels: 2) }
        #expect(throws: LokiLabels.Failure(message: "has a label longer than 1024 bytes")) { try Self.parse("{a=\"\(String(repeating: "x", count: 1025))\"}") }
    }

    /// Values are cut in bytes, on a scalar boundary, whatever the characters.
    @Test func aValueIsCutInBytes() {
        #expect("abc".prefix(utf8Bytes: 2) == "ab")
        #expect("é✓😀".prefix(utf8Bytes: 6) == "é✓")
        #expect("é✓😀".prefix(utf8Bytes: 8) == "é✓")
        #expect(String(repeating: "e\u{301}", count: 100).prefix(utf8Bytes: 5).utf8.count == 4)
        #expect("x".prefix(utf8Bytes: 0) == "")
    }
}
