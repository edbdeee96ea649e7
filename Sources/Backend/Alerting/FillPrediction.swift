import Foundation

/// When a disk fills up, from its recent samples: a Theil–Sen line (the median of the slopes
/// between pairs of samples, so noise and odd samples do not tilt it) over the samples since the
/// last cleanup (a drop of `cleanupDrop` points or more), within the window. Pure.
struct FillPrediction: Equatable, Sendable {
    /// Percentage points per hour.
    var growthPerHour: Double
    /// When the line reaches 100 %.
    var fullAt: Date

    /// The line needs this much history since the last cleanup to be believed.
    static let minimumSpan: TimeInterval = 3600
    static let minimumSamples = 6
    /// Pairwise slopes cost n²: more samples than this are thinned evenly.
    static let maxSamples = 120
    static let cleanupDrop = 2.0

    /// nil: not growing, or too little history to tell.
    static func predict(_ samples: [SampleRecord], now: Date, window: TimeInterval) -> FillPrediction? {
        var points = samples.filter { $0.at >= now.addingTimeInterval(-window) && $0.at <= now && $0.value.isFinite }.sorted { $0.at < $1.at }
        if let cleanup = points.indices.dropFirst().last(where: { points[$0].value <= points[$0 - 1].value - cleanupDrop }) {
            points = Array(points[cleanup...])
        }
        guard points.count >= minimumSamples, let first = points.first, let last = points.last,
            last.at.timeIntervalSince(first.at) >= minimumSpan
        else { return nil }
        if points.count > maxSamples {
            let step = Double(points.count - 1) / Double(maxSamples - 1)
            points = (0..<maxSamples).map { points[Int((Double($0) * step).rounded())] }
        }
        let base = first.at
        let times = points.map { $0.at.timeIntervalSince(base) / 3600 }
        var slopes: [Double] = []
        slopes.reserveCapacity(points.count * (points.count - 1) / 2)
        for i in points.indices {
            for j in points.indices where j > i && times[j] > times[i] {
                slopes.append((points[j].value - points[i].value) / (times[j] - times[i]))
            }
        }
        guard let slope = median(slopes), slope > 0 else { return nil }
        guard let intercept = median(points.indices.map { points[$0].value - slope * times[$0] }) else { return nil }
        let hoursNow = now.timeIntervalSince(base) / 3600
        let hoursToFull = max(0, (100 - (intercept + slope * hoursNow)) / slope)
        return FillPrediction(growthPerHour: slope, fullAt: now.addingTimeInterval(hoursToFull * 3600))
    }

    private static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
