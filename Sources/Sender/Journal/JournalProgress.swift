/// A progress line on stderr, rewritten in place, while a large backlog is shipped from a
/// terminal. A timer's run (stderr not a terminal) prints nothing: its log is the journal itself.
struct JournalProgress {
    let enabled: Bool
    private var started = Clock.now()
    private var shown = false
    /// Entries left when counted, and how many had been read by then.
    private var remaining: (count: Int, bounded: Bool, readThen: Int)?
    private var backlog = false
    private var lastShown = 0.0

    /// Counting stops here (and after `countSeconds`), so a huge backlog costs little to size.
    static let countLimit = 10_000_000
    static let countSeconds = 2.0

    init(enabled: Bool) { self.enabled = enabled }

    /// Called when a batch is full: a backlog. Counts what is left once, with a second handle.
    mutating func batchFilled(source: JournalSource, filter: JournalFilter, cursor: [UInt8], read: Int) {
        guard enabled, !backlog else { return }
        backlog = true
        if let counted = Self.countRemaining(source: source, filter: filter, after: String(decoding: cursor, as: UTF8.self)) {
            remaining = (counted.count, counted.bounded, read)
        }
    }

    mutating func show(sent: Int, read: Int, final: Bool = false) {
        guard enabled, backlog else { return }
        let now = Clock.now()
        guard final || now - lastShown >= 0.2 else { return }
        lastShown = now
        let rate = Int(Double(sent) / max(now - started, 0.001))
        var line = "\rjournal: \(sent) entries sent, \(rate)/s"
        if let remaining {
            let left = max(0, remaining.count - (read - remaining.readThen))
            line += remaining.bounded ? ", more than \(left) left" : ", \(left) left"
        }
        StandardStreams.write(Array((line + "\u{1B}[K").utf8), to: 2)
        shown = true
    }

    /// Shows the final numbers and ends the line, so the next output starts on a line of its own.
    mutating func finish(sent: Int, read: Int) {
        guard shown else { return }
        show(sent: sent, read: read, final: true)
        StandardStreams.write([0x0A], to: 2)
    }

    /// Entries after `cursor` that match the same filters, up to `countLimit`.
    static func countRemaining(source: JournalSource, filter: JournalFilter, after cursor: String) -> (count: Int, bounded: Bool)? {
        guard let journal = try? JournalReader(source) else { return nil }
        guard (try? filter.addMatches(to: journal)) != nil, journal.seek(cursor: cursor) else { return nil }
        let deadline = Clock.now() + countSeconds
        var count = 0
        // The first step lands on the cursor's own entry, which was read already.
        var first = true
        while journal.next() > 0 {
            if first { first = false; if journal.isAt(cursor: cursor) { continue } }
            count += 1
            if count >= countLimit || (count & 4095 == 0 && Clock.now() >= deadline) { return (count, true) }
        }
        return (count, false)
    }
}
