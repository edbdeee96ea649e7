#if canImport(Glibc)
import Glibc
#endif

/// Reads the journal from where the last acknowledged batch ended and ships it in batches, or
/// prints them with `--dry-run`. At least once: the cursor moves only after the backend
/// acknowledged every entry up to it, and the backend stores a resent entry only once.
struct JournalShipper {
    var settings: SenderSettings
    var source: JournalSource
    var dryRun: Bool
    let filter: JournalFilter
    let journal: JournalReader

    struct Summary {
        var read = 0
        var shipped = 0
        var batches = 0
        /// Stopped by journal.max_run or journal.max_entries with entries possibly left.
        var stoppedEarly = false
    }

    /// Opens the journal with the filters' matches; throws before anything is read or sent.
    init(settings: SenderSettings, source: JournalSource, dryRun: Bool) throws(JournalOpenError) {
        self.settings = settings
        self.source = source
        self.dryRun = dryRun
        filter = JournalFilter(settings: settings)
        journal = try JournalReader(source)
        try filter.addMatches(to: journal)
    }

    func ship() throws(SenderFailure) -> Summary {
        let limits = settings.journal
        let cursorFile = CursorFile(directory: settings.stateDir)
        let delivery: JournalDelivery?
        if dryRun {
            delivery = nil
        } else {
            let url: String
            do { url = try settings.requireURL() } catch { throw SenderFailure(error) }
            do { try cursorFile.prepare() } catch { throw SenderFailure(error) }
            let lock: StateLock.Outcome
            do { lock = try StateLock.take(directory: settings.stateDir) } catch { throw SenderFailure(error) }
            if lock == .busy {
                throw SenderFailure(status: .busy, message: "journal: another metrics-sender is shipping the journal from \(settings.stateDir); "
                    + "this run leaves it to that one")
            }
            delivery = JournalDelivery(settings: settings, url: url)
        }
        let saved: CursorFile.Content
        do { saved = try cursorFile.read() } catch { throw SenderFailure(error) }
        let savedBytes = position(after: saved, file: cursorFile)

        var batch = Batch(capacity: limits.batchBytes)
        var record = JournalFields(extraNames: filter.fields)
        var cursor: [UInt8] = []
        cursor.reserveCapacity(256)
        var summary = Summary()
        var progress = JournalProgress(enabled: StandardStreams.stderrIsTerminal)
        defer { progress.finish(sent: summary.shipped, read: summary.read) }
        // Reading stops a timeout and a little before the run's end, so the last batch still
        // gets one whole attempt.
        let deadline = min(Clock.now() + Double(limits.maxRun.seconds), (settings.runEnd ?? .infinity) - Double(settings.timeout.seconds) - 2)
        /// Entries read since the last saved cursor: the next save must cover them.
        var uncovered = false
        /// Where reading is, by time: a read error is stepped over from here.
        var lastRealtime: UInt64 = {
            if case .cursor(let text) = saved, let realtime = CursorFile.realtime(of: text) { return realtime }
            return startRealtime()
        }()
        var readErrors = 0
        var skip: UInt64 = 1

        let pipeline = delivery.map { delivery in
            JournalPipeline(depth: limits.inFlight) { bytes, entries throws(DeliveryError) in
                try delivery.send(bytes[...], entries: entries, retryBudget: max(deadline - Clock.now(), 10))
            }
        }
        /// Counts the batches the backend acknowledged, in order, and saves the cursor after the last.
        func saveAcknowledged() throws(SenderFailure) {
            guard let pipeline else { return }
            var end: [UInt8]?
            for (batch, receipts) in pipeline.acknowledged() {
                for case let receipt? in receipts where (receipt.rejected ?? 0) > 0 { Self.warnRefused(receipt.rejected ?? 0, of: batch.entries, receipt) }
                summary.shipped += batch.entries
                if batch.entries > 0 { summary.batches += 1 }
                if !batch.endCursor.isEmpty { end = batch.endCursor }
            }
            if let end {
                do { try cursorFile.save(end) } catch { throw SenderFailure(error) }
            }
            progress.show(sent: summary.shipped, read: summary.read)
        }
        /// Waits for the batches in flight, saves what they reached, and says why one failed.
        func finishDelivery() throws(SenderFailure) {
            guard let pipeline else { return }
            let failure = pipeline.finish()
            try saveAcknowledged()
            if let failure {
                throw SenderFailure(status: .delivery, message: "journal: \(failure.description.oneLine); "
                    + "the cursor stays after the last acknowledged entry (\(summary.shipped) sent this run)")
            }
        }

        func deliver(_ bytes: [UInt8], entries: Int, endCursor: [UInt8]) throws(SenderFailure) {
            guard let pipeline else {
                if entries > 0, !StandardStreams.write(bytes) {
                    throw SenderFailure(status: .badSettings, message: "journal: cannot write to stdout: \(String(cString: strerror(errno)))")
                }
                summary.shipped += entries
                summary.batches += entries > 0 ? 1 : 0
                progress.show(sent: summary.shipped, read: summary.read)
                return
            }
            if !pipeline.submit(JournalPipeline.Batch(bytes: bytes, entries: entries, endCursor: endCursor)) { try finishDelivery() }
            try saveAcknowledged()
        }

        while true {
            if summary.read >= limits.maxEntries || (summary.read & 255 == 0 && Clock.now() >= deadline) {
                summary.stoppedEarly = true
                break
            }
            let step = journal.next()
            if step == 0 { break }
            if step < 0 {
                // A damaged stretch: step over it by time, further at each failure in a row
                // (1 µs, 10 µs … 1 min), so it is passed in this run rather than stalled on run
                // after run.
                readErrors += 1
                StandardStreams.warn("journal: reading failed (\(String(cString: strerror(-step)))); skipping \(skip) µs past it")
                guard readErrors <= Self.maxReadErrors else { break }
                lastRealtime = lastRealtime.addingReportingOverflow(skip).overflow ? UInt64.max - 1 : lastRealtime + skip
                skip = min(skip * 10, 60_000_000)
                journal.seek(realtime: lastRealtime)
                continue
            }
            skip = 1
            summary.read += 1
            uncovered = true
            guard let realtime = journal.realtime() else { continue }
            lastRealtime = realtime
            record.load(from: journal.handle)
            if filter.skips(record) { continue }
            guard journal.cursor(into: &cursor) else { continue }
            if let savedBytes, cursor == savedBytes { continue }

            let mark = batch.bytes.count
            JournalEncoder.append(record, realtime: realtime, cursor: cursor, to: &batch.bytes)
            // One entry never outgrows a batch, so a backend that takes batches takes every entry.
            for (cut, dropExtras) in [(limits.batchBytes / 8, false), (limits.batchBytes / 8, true), (16, true)]
            where batch.bytes.count - mark > limits.batchBytes {
                batch.bytes.removeSubrange(mark...)
                record.cut(messageTo: cut, dropExtras: dropExtras)
                JournalEncoder.append(record, realtime: realtime, cursor: cursor, to: &batch.bytes)
            }
            if batch.bytes.count > limits.batchBytes && batch.entries > 0 {
                // This entry would overflow the batch: ship the ones before it; it starts the next.
                progress.batchFilled(source: source, filter: filter, cursor: batch.lastCursor, read: summary.read)
                try deliver(Array(batch.bytes[..<mark]), entries: batch.entries, endCursor: batch.lastCursor)
                batch.bytes.removeFirst(mark)
                batch.entries = 0
            }
            batch.entries += 1
            batch.lastCursor.removeAll(keepingCapacity: true)
            batch.lastCursor.append(contentsOf: cursor)
            if batch.entries >= limits.batchEntries || batch.bytes.count >= limits.batchBytes {
                progress.batchFilled(source: source, filter: filter, cursor: cursor, read: summary.read)
                try deliver(batch.bytes, entries: batch.entries, endCursor: cursor)
                batch.clear()
                uncovered = false
            }
        }
        if uncovered {
            // Cover skipped entries after the last shipped one too, so they are not read again.
            var end: [UInt8] = []
            if !journal.cursor(into: &end) { end = batch.lastCursor }
            try deliver(batch.bytes, entries: batch.entries, endCursor: end)
        }
        try finishDelivery()
        return summary
    }

    /// Puts the journal just before the first entry to read, and returns the saved cursor's
    /// bytes: that entry was shipped already and is never sent again.
    private func position(after saved: CursorFile.Content, file: CursorFile) -> [UInt8]? {
        let cursor: String
        switch saved {
        case .none:
            seekToStart()
            return nil
        case .damaged:
            StandardStreams.warn("journal: \(file.path) holds no cursor; starting \(settings.journal.start) ago")
            seekToStart()
            return nil
        case .cursor(let text):
            cursor = text
        }
        let realtime = CursorFile.realtime(of: cursor)
        if journal.seek(cursor: cursor) {
            let step = journal.next()
            if step > 0, journal.isAt(cursor: cursor) { return Array(cursor.utf8) }  // the next step passes it
            if step == 0, let realtime {
                // Nothing at or after it: nothing to read either way.
                journal.seek(realtime: min(realtime, UInt64.max - 1) + 1)
                return Array(cursor.utf8)
            }
            if step > 0, filter.hasMatches, exists(cursor: cursor) {
                // Its entry is there but does not match the filters (they changed): the first
                // matching entry after it is the next to read, so step back before it.
                _ = journal.seek(cursor: cursor)
                return Array(cursor.utf8)
            }
        }
        // Vacuumed or rotated away: continue after its time, never from the beginning.
        if let realtime {
            StandardStreams.warn("journal: the saved cursor is no longer in the journal (rotated or vacuumed); "
                + "continuing after its time, \(Self.utc(realtime))")
            journal.seek(realtime: min(realtime, UInt64.max - 1) + 1)
        } else {
            StandardStreams.warn("journal: \(file.path) holds no usable cursor; starting \(settings.journal.start) ago")
            seekToStart()
        }
        return Array(cursor.utf8)
    }

    /// Whether the cursor's entry is in the journal, looked up without the filters' matches.
    private func exists(cursor: String) -> Bool {
        guard let unfiltered = try? JournalReader(source), unfiltered.seek(cursor: cursor), unfiltered.next() > 0 else { return false }
        return unfiltered.isAt(cursor: cursor)
    }

    /// Read errors a run steps over before it stops; the next run starts again after the last
    /// entry it read.
    static let maxReadErrors = 100

    /// A first run starts `journal.start` before now.
    private func seekToStart() {
        journal.seek(realtime: startRealtime())
    }

    private func startRealtime() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nowUsec = UInt64(max(0, now.tv_sec)) * 1_000_000 + UInt64(max(0, now.tv_nsec)) / 1000
        let back = UInt64(settings.journal.start.seconds) * 1_000_000
        return nowUsec > back ? nowUsec - back : 1
    }

    private static func warnRefused(_ refused: Int, of entries: Int, _ receipt: JournalDelivery.Receipt) {
        var line = "journal: the backend refused \(refused) of \(entries) entries in a batch"
        if let first = receipt.errors?.first {
            line += ": line \(first.line ?? 0)" + (first.field.map { " \($0)" } ?? "") + " " + (first.error ?? "")
        }
        StandardStreams.warn(line.oneLine)
    }

    /// `2026-11-22T12:00:00Z`.
    static func utc(_ usec: UInt64) -> String {
        var seconds = time_t(clamping: usec / 1_000_000)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "\(usec) µs" }
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The NDJSON being filled, and the cursor of its last entry.
    private struct Batch {
        var bytes: [UInt8] = []
        var entries = 0
        var lastCursor: [UInt8] = []

        init(capacity: Int) { bytes.reserveCapacity(capacity + 64 * 1024) }

        mutating func clear() {
            bytes.removeAll(keepingCapacity: true)
            entries = 0
        }
    }
}

extension String {
    /// Messages end up on one line of a log: newlines from a backend's answer become spaces.
    var oneLine: String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
