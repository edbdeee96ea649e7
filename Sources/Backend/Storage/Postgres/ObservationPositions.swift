/// A batch's observations in the order the ingest statements bind them: what each report's host
/// id turned out to be, and each observation's check id once known. A report without a host id
/// was a duplicate.
struct ObservationPositions {
    /// Where each report's observations start.
    private(set) var starts: [Int] = []
    var hostIDs: [Int64?]
    var ids: [Int64?]

    init(_ reports: [ReportRows]) {
        var total = 0
        starts.reserveCapacity(reports.count)
        for rows in reports {
            starts.append(total)
            total += rows.names.count
        }
        hostIDs = Array(repeating: nil, count: reports.count)
        ids = Array(repeating: nil, count: total)
    }

    func range(of report: Int) -> Range<Int> {
        starts[report]..<(report + 1 < starts.count ? starts[report + 1] : ids.count)
    }

    /// Whether a new report has an observation whose check id is not known yet.
    var anyMissing: Bool {
        hostIDs.indices.contains { hostIDs[$0] != nil && ids[range(of: $0)].contains(nil) }
    }
}
