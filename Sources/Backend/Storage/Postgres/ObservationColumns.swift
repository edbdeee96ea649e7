import PostgresNIO

/// Observations as the column arrays both check-writing statements bind, in this order: name,
/// kind, value, unit, status, error, details, interval, grace. PostgresNIO encodes no NULLs inside
/// arrays: NaN, "" and -1 stand for NULL, and the statements' NULLIF restores it.
struct ObservationColumns {
    var names: [String] = []
    var kinds: [String] = []
    var values: [Double] = []
    var units: [String] = []
    var statuses: [String] = []
    var errors: [String] = []
    var details: [String] = []
    var every: [Int64] = []
    var grace: [Int64] = []

    init(capacity: Int = 0) {
        names.reserveCapacity(capacity); kinds.reserveCapacity(capacity); values.reserveCapacity(capacity)
        units.reserveCapacity(capacity); statuses.reserveCapacity(capacity); errors.reserveCapacity(capacity)
        details.reserveCapacity(capacity); every.reserveCapacity(capacity); grace.reserveCapacity(capacity)
    }

    mutating func append(_ rows: ReportRows, _ item: Int) {
        names.append(rows.names[item])
        kinds.append(rows.kinds[item])
        values.append(rows.values[item] ?? .nan)
        units.append(rows.units[item] ?? "")
        statuses.append(rows.statuses[item] ?? "")
        errors.append(rows.errors[item] ?? "")
        details.append(rows.details[item] ?? "")
        every.append(Int64(rows.every[item] ?? -1))
        grace.append(Int64(rows.grace[item] ?? -1))
    }

    func bind(into binds: inout PostgresBindings) {
        bindValues(into: &binds)
        binds.append(PostgresArray(every))
        binds.append(PostgresArray(grace))
    }

    /// All but the interval and grace, which `host_latest` does not hold.
    func bindValues(into binds: inout PostgresBindings) {
        binds.append(PostgresArray(names))
        binds.append(PostgresArray(kinds))
        binds.append(PostgresArray(values))
        binds.append(PostgresArray(units))
        binds.append(PostgresArray(statuses))
        binds.append(PostgresArray(errors))
        binds.append(PostgresArray(details))
    }
}
