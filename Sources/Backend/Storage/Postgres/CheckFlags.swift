/// A check's alert state as one integer, so the ingest answer carries no text: its state, its
/// notified state (two bits each) and whether it is flapping.
enum CheckFlags {
    static func sql(table: String) -> String {
        """
        (CASE \(table).state WHEN 'alert' THEN 1 WHEN 'no-data' THEN 2 ELSE 0 END
         + 4 * CASE \(table).notified_state WHEN 'alert' THEN 1 WHEN 'no-data' THEN 2 ELSE 0 END
         + 16 * (\(table).flapping_since IS NOT NULL)::int)::int8 AS flags
        """
    }

    static func written(id: Int64, host: String, name: String, flags: Int64, isNew: Bool, reported: CheckRecord, hostTags: [String]?) -> WrittenCheck {
        WrittenCheck(
            id: id, host: host, name: name, state: state(flags & 3), notifiedState: state((flags >> 2) & 3),
            flapping: flags & 16 != 0, isNew: isNew, reported: reported, hostTags: hostTags)
    }

    private static func state(_ code: Int64) -> CheckState {
        switch code {
        case 1: .alert
        case 2: .noData
        default: .ok
        }
    }
}
