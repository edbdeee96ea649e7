import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// The fields of one journal entry that the sender ships or filters on. libsystemd's data
/// pointers stay valid only until its next call, so values are copied into one byte buffer that
/// is reused for every entry: reading an entry allocates nothing.
struct JournalFields {
    enum Field: Int, CaseIterable {
        case host, bootId, unit, identifier, pid, priority, transport, containerName, containerId, message
        /// UNIT=: the unit a message of systemd (pid 1) is about.
        case aboutUnit
    }

    /// The backend refuses longer values (and an over-long line would be lost), so they are cut
    /// here, on a UTF-8 boundary. A message is cut at 1 MiB: even fully escaped, with its base64
    /// beside it, one entry then fits the backend's 8 MiB batch limit.
    static let messageLimit = 1 << 20
    static let shortLimit = 256
    static let extraLimit = 4096

    private(set) var storage: [UInt8] = []
    private var known: [Range<Int>?] = Array(repeating: nil, count: Field.allCases.count)
    /// Allow-listed extra fields present in this entry: index into `extraNames`, value.
    private(set) var extras: [(name: Int, value: Range<Int>)] = []
    /// `--journal-field` names, as bytes.
    let extraNames: [[UInt8]]

    init(extraNames: [String]) {
        self.extraNames = extraNames.map { Array($0.utf8) }
        storage.reserveCapacity(4096)
        extras.reserveCapacity(extraNames.count)
    }

    subscript(field: Field) -> Range<Int>? { known[field.rawValue] }

    /// Copies the wanted fields of the journal's current entry. The first value of a field
    /// repeated in one entry wins.
    mutating func load(from journal: OpaquePointer) {
        storage.removeAll(keepingCapacity: true)
        for index in known.indices { known[index] = nil }
        extras.removeAll(keepingCapacity: true)
        csupport_journal_restart_data(journal)
        var data: UnsafeRawPointer?
        var length = 0
        // A negative result is a damaged entry: ship what was read so far.
        while csupport_journal_enumerate_data(journal, &data, &length) > 0 {
            guard let data, length > 0 else { continue }
            // Field names are at most 64 bytes: look no further for the '='.
            guard let equals = memchr(data, 0x3D, min(length, 65)) else { continue }
            let nameLength = UnsafeRawPointer(equals) - data
            let value = UnsafeRawBufferPointer(start: data + nameLength + 1, count: length - nameLength - 1)
            if let field = Self.field(data, nameLength), known[field.rawValue] == nil {
                known[field.rawValue] = copy(value, limit: field == .message ? Self.messageLimit : Self.shortLimit)
            }
            if !extraNames.isEmpty { matchExtra(data, nameLength, value) }
        }
    }

    private mutating func matchExtra(_ name: UnsafeRawPointer, _ nameLength: Int, _ value: UnsafeRawBufferPointer) {
        for (index, wanted) in extraNames.enumerated() where wanted.count == nameLength {
            let same = wanted.withUnsafeBytes { bytes in bytes.baseAddress.map { memcmp($0, name, nameLength) == 0 } ?? false }
            if same, !extras.contains(where: { $0.name == index }) {
                extras.append((index, copy(value, limit: Self.extraLimit)))
            }
            if same { return }
        }
    }

    /// Shortens the message to at most `limit` bytes, on a character boundary, and drops the
    /// extra fields when `dropExtras`: for an entry that would not fit in a batch.
    mutating func cut(messageTo limit: Int, dropExtras: Bool) {
        if dropExtras { extras.removeAll() }
        guard let range = known[Field.message.rawValue], range.count > limit else { return }
        var end = range.lowerBound + max(0, limit)
        var back = 0
        while back < 3, end > range.lowerBound, storage[end] & 0xC0 == 0x80 { end -= 1; back += 1 }
        known[Field.message.rawValue] = range.lowerBound..<end
    }

    private mutating func copy(_ value: UnsafeRawBufferPointer, limit: Int) -> Range<Int> {
        var count = value.count
        if count > limit {
            count = limit
            // Back off continuation bytes (10xxxxxx) so the cut does not split a character.
            var back = 0
            while back < 3, count > 0, value[count] & 0xC0 == 0x80 { count -= 1; back += 1 }
        }
        let start = storage.count
        storage.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[0..<count]).assumingMemoryBound(to: UInt8.self))
        return start..<storage.count
    }

    /// The shipped field a name stands for; the length picks the few candidates to compare.
    private static func field(_ name: UnsafeRawPointer, _ length: Int) -> Field? {
        switch length {
        case 4: return same(name, "_PID") ? .pid : same(name, "UNIT") ? .aboutUnit : nil
        case 7: return same(name, "MESSAGE") ? .message : nil
        case 8: return same(name, "PRIORITY") ? .priority : same(name, "_BOOT_ID") ? .bootId : nil
        case 9: return same(name, "_HOSTNAME") ? .host : nil
        case 10: return same(name, "_TRANSPORT") ? .transport : nil
        case 12: return same(name, "CONTAINER_ID") ? .containerId : nil
        case 13: return same(name, "_SYSTEMD_UNIT") ? .unit : nil
        case 14: return same(name, "CONTAINER_NAME") ? .containerName : nil
        case 17: return same(name, "SYSLOG_IDENTIFIER") ? .identifier : nil
        default: return nil
        }
    }

    @inline(__always)
    private static func same(_ name: UnsafeRawPointer, _ literal: StaticString) -> Bool {
        memcmp(name, literal.utf8Start, literal.utf8CodeUnitCount) == 0
    }

    /// PRIORITY as 0…7; nil when absent or not a single digit in range.
    var priority: Int? {
        guard let range = known[Field.priority.rawValue], range.count == 1 else { return nil }
        let digit = Int(storage[range.lowerBound]) - 48
        return (0...7).contains(digit) ? digit : nil
    }

    /// The unit an entry belongs to: for systemd's own lines about a unit ("Started …",
    /// "Failed with result …"), that unit, as `journalctl -u` shows them; else _SYSTEMD_UNIT.
    var unitField: Field {
        known[Field.aboutUnit.rawValue] != nil && pid == 1 ? .aboutUnit : .unit
    }

    /// _PID as a number; nil when absent or not a plain decimal that fits.
    var pid: Int? {
        guard let range = known[Field.pid.rawValue], (1...10).contains(range.count) else { return nil }
        var value = 0
        for index in range {
            let digit = Int(storage[index]) - 48
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// Whether the field's value equals `bytes`.
    func value(_ field: Field, equals bytes: [UInt8]) -> Bool {
        guard let range = known[field.rawValue], range.count == bytes.count else { return false }
        return storage[range].elementsEqual(bytes)
    }

    /// Whether the field's value starts with `bytes`.
    func value(_ field: Field, startsWith bytes: [UInt8]) -> Bool {
        guard let range = known[field.rawValue], range.count >= bytes.count else { return false }
        return storage[range].starts(with: bytes)
    }
}
