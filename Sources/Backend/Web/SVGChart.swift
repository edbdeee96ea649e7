import Foundation

/// Charts drawn on the server as SVG: a sparkline for the dashboard, a line chart with a grid for
/// the host page. Samples are averaged into one point per pixel column, and the line breaks
/// where data is missing instead of drawing a slope across the gap.
enum SVGChart {
    /// Averages samples into `columns` buckets across [from, to]; nil where a bucket is empty.
    static func buckets(_ samples: [SampleRecord], from: Date, to: Date, columns: Int) -> [Double?] {
        guard columns > 0, to > from else { return [] }
        var sums = [Double](repeating: 0, count: columns), counts = [Int](repeating: 0, count: columns)
        let span = to.timeIntervalSince(from)
        for sample in samples where sample.at >= from && sample.at <= to && sample.value.isFinite {
            let index = min(columns - 1, Int(sample.at.timeIntervalSince(from) / span * Double(columns)))
            sums[index] += sample.value
            counts[index] += 1
        }
        return (0..<columns).map { counts[$0] == 0 ? nil : sums[$0] / Double(counts[$0]) }
    }

    /// The value range to draw: 0–100 for percentages, otherwise the data's own, never empty.
    static func range(_ values: [Double], unit: String?) -> ClosedRange<Double> {
        if unit == "%" { return 0...100 }
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        return low == high ? (low - 1)...(high + 1) : low...high
    }

    /// SVG path data: `M` starts each run of filled buckets, so gaps stay gaps.
    static func path(_ buckets: [Double?], range: ClosedRange<Double>, width: Double, height: Double) -> String {
        guard !buckets.isEmpty else { return "" }
        let step = buckets.count > 1 ? width / Double(buckets.count - 1) : 0
        let spread = range.upperBound - range.lowerBound
        var path = "", run = 0
        for (index, value) in buckets.enumerated() {
            guard let value else {
                if run == 1 { path += "h0.5" }  // a lone point: a dot, with the round cap
                run = 0
                continue
            }
            let clamped = min(max(value, range.lowerBound), range.upperBound)
            let x = Double(index) * step, y = height - (clamped - range.lowerBound) / spread * height
            path += (run > 0 ? "L" : "M") + format(x) + " " + format(y)
            run += 1
        }
        if run == 1 { path += "h0.5" }
        return path
    }

    static func sparkline(_ samples: [SampleRecord], from: Date, to: Date, unit: String?, state: String) -> String {
        let width = 120.0, height = 24.0
        let values = buckets(samples, from: from, to: to, columns: 60)
        let d = path(values, range: range(values.compactMap { $0 }, unit: unit), width: width, height: height - 2)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -1 \(format(width)) \(format(height))" width="120" height="24" class="spark spark-\(HTMLText.escape(state))" role="img" aria-label="last 24 hours">\
            <path d="\(d)" fill="none" stroke="\(sparkColour(state))" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" vector-effect="non-scaling-stroke"/></svg>
            """
    }

    /// Mid-tone colours that read on light and dark backgrounds alike.
    static func sparkColour(_ state: String) -> String {
        switch state {
        case "alert": return "#e5484d"
        case "no-data": return "#d08a1e"
        default: return "#3b9a57"
        }
    }

    /// A chart with horizontal grid lines and labels at the range's ends and middle, and the time span below.
    static func chart(_ samples: [SampleRecord], from: Date, to: Date, unit: String?, label: String) -> String {
        let width = 600.0, height = 150.0, left = 44.0, bottom = 18.0
        let plotWidth = width - left - 4, plotHeight = height - bottom - 6
        let values = buckets(samples, from: from, to: to, columns: 300)
        let valueRange = range(values.compactMap { $0 }, unit: unit)
        let d = path(values, range: valueRange, width: plotWidth, height: plotHeight)
        var grid = ""
        for fraction in [0.0, 0.5, 1.0] {
            let y = 6 + plotHeight - fraction * plotHeight
            let value = valueRange.lowerBound + fraction * (valueRange.upperBound - valueRange.lowerBound)
            grid += "<line x1=\"\(format(left))\" x2=\"\(format(width - 4))\" y1=\"\(format(y))\" y2=\"\(format(y))\" class=\"grid\"/>"
            grid += "<text x=\"\(format(left - 4))\" y=\"\(format(y + 4))\" text-anchor=\"end\" class=\"axis\">\(HTMLText.escape(TimeText.value(value, unit: unit)))</text>"
        }
        let span = TimeText.span(Int(to.timeIntervalSince(from)))
        let hover = hoverBands(values, from: from, to: to, unit: unit, left: left, top: 6, width: plotWidth, height: plotHeight)
        let empty = values.allSatisfy { $0 == nil }
            ? "<text x=\"\(format(left + plotWidth / 2))\" y=\"\(format(6 + plotHeight / 2))\" text-anchor=\"middle\" class=\"axis\">no samples</text>" : ""
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(format(width)) \(format(height))" class="chart" role="img" aria-label="\(HTMLText.escape(label)), last \(span)">\
            \(grid)<g transform="translate(\(format(left)) 6)"><path d="\(d)" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" class="line"/></g>\(empty)\
            <text x="\(format(left))" y="\(format(height - 4))" class="axis">\(span) ago</text>\
            <text x="\(format(width - 4))" y="\(format(height - 4))" text-anchor="end" class="axis">now</text>\(hover)</svg>
            """
    }

    /// Hover values: the plot cut into `bands` vertical strips, each a transparent rectangle whose
    /// title (the browser's own tooltip, no script) says its time and average. Empty strips get none.
    static func hoverBands(_ values: [Double?], from: Date, to: Date, unit: String?, left: Double, top: Double, width: Double, height: Double,
                           bands: Int = 60) -> String {
        guard !values.isEmpty, bands > 0 else { return "" }
        let perBand = max(1, values.count / bands)
        let span = to.timeIntervalSince(from)
        var svg = "<g class=\"hover\">"
        for start in stride(from: 0, to: values.count, by: perBand) {
            let slice = values[start..<min(values.count, start + perBand)].compactMap { $0 }
            guard !slice.isEmpty else { continue }
            let average = slice.reduce(0, +) / Double(slice.count)
            let middle = from.addingTimeInterval(span * (Double(start) + Double(perBand) / 2) / Double(values.count))
            let x = left + width * Double(start) / Double(values.count)
            let bandWidth = width * Double(perBand) / Double(values.count)
            let label = "\(TimeText.utc(middle).dropLast(7)) UTC: \(TimeText.value(average, unit: unit))"
            svg += "<rect x=\"\(format(x))\" y=\"\(format(top))\" width=\"\(format(bandWidth))\" height=\"\(format(height))\" fill=\"transparent\"><title>\(HTMLText.escape(label))</title></rect>"
        }
        return svg + "</g>"
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
