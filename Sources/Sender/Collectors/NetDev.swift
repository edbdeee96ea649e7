/// Error and drop counters of one interface, from /proc/net/dev.
struct InterfaceErrors: Equatable, Sendable {
    var rxErrors: UInt64
    var rxDropped: UInt64
    var txErrors: UInt64
    var txDropped: UInt64

    /// As a state file keeps them.
    var values: [UInt64] { [rxErrors, rxDropped, txErrors, txDropped] }

    init(rxErrors: UInt64, rxDropped: UInt64, txErrors: UInt64, txDropped: UInt64) {
        (self.rxErrors, self.rxDropped, self.txErrors, self.txDropped) = (rxErrors, rxDropped, txErrors, txDropped)
    }

    init?(values v: [UInt64]) {
        guard v.count == 4 else { return nil }
        self.init(rxErrors: v[0], rxDropped: v[1], txErrors: v[2], txDropped: v[3])
    }
}

/// `/proc/net/dev` in, counters per interface out, in the file's order. Pure.
enum NetDev {
    /// Lines are `  eth0: rx_bytes rx_packets rx_errs rx_drop … tx_bytes tx_packets tx_errs tx_drop …`
    /// (8 receive and 8 transmit fields); the two header lines and malformed lines are skipped.
    static func parse(_ text: String, limit: Int = 512) -> [(name: String, errors: InterfaceErrors)] {
        var result: [(name: String, errors: InterfaceErrors)] = []
        for line in text.split(separator: "\n") where result.count < limit {
            guard let colon = line.lastIndex(of: ":") else { continue }
            // The kernel allows no space, tab or colon in an interface name.
            let name = line[..<colon].split(whereSeparator: { $0 == " " || $0 == "\t" }).last ?? ""
            let fields = line[line.index(after: colon)...].split(separator: " ").map { UInt64($0) }
            guard !name.isEmpty, fields.count >= 16, !fields.prefix(16).contains(nil) else { continue }
            let v = fields.map { $0 ?? 0 }
            result.append((String(name), InterfaceErrors(rxErrors: v[2], rxDropped: v[3], txErrors: v[10], txDropped: v[11])))
        }
        return result
    }
}
