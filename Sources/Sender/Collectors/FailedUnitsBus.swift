#if canImport(Glibc)
import Glibc
#endif
import CSupport

/// The failed units as systemd itself lists them on the system bus (sd-bus, ListUnitsFiltered),
/// without starting systemctl. See failed_units_bus.c.
enum FailedUnitsBus {
    /// systemd answers in hash order: read up to this many, so the `limit` kept, by name, are the
    /// same each run (a changing subset would flip units between failed and ok).
    static let readLimit = 10_000

    /// Why it failed is one line: no libsystemd, no bus, systemd's own error.
    static func list(timeout seconds: Double, limit: Int = FailedUnits.limit) throws(UnitListError) -> [FailedUnit] {
        var block: UnsafeMutablePointer<CChar>?
        var length = 0
        var error = [CChar](repeating: 0, count: 512)
        let count = csupport_bus_failed_units(UInt64(max(0, seconds) * 1_000_000), readLimit, &block, &length, &error, error.count)
        defer { free(block) }
        guard count >= 0 else {
            // The C side may cut a long message inside a character: drop what does not decode,
            // or the error line would be refused as unprintable.
            let text = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw UnitListError(message: String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{FFFD}" })))
        }
        guard let block else { return [] }
        // Five NUL-terminated strings a unit: name, description, load, active and sub state.
        let fields = UnsafeBufferPointer(start: UnsafeRawPointer(block).assumingMemoryBound(to: UInt8.self), count: length)
            .split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let units = stride(from: 0, to: min(Int(count), fields.count / 5) * 5, by: 5).compactMap { index -> FailedUnit? in
            guard !fields[index].isEmpty else { return nil }
            return FailedUnit(
                unit: fields[index], load: fields[index + 2], active: fields[index + 3], sub: fields[index + 4],
                description: fields[index + 1].isEmpty ? nil : fields[index + 1])
        }
        return Array(units.sorted { $0.unit < $1.unit }.prefix(limit))
    }
}
