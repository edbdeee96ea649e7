import Foundation
import Shared
import Testing
@testable import Backend

/// The disk fill predictor on synthetic series: six hours of samples, one a minute.
@Suite struct FillPredictionTests {
    static let now = RulesTests.now
    static let window: TimeInterval = 6 * 3600

    /// `value(minutesAgo)` for every minute of the last six hours.
    static func series(_ value: (Int) -> Double) -> [SampleRecord] {
        (0...360).reversed().map { SampleRecord(at: now.addingTimeInterval(-Double($0) * 60), value: value($0)) }
    }

    /// A small, fixed, deterministic noise in [-1, 1].
    static func noise(_ minute: Int) -> Double {
        Double((minute * 7919 + 13) % 201 - 100) / 100
    }

    @Test func steadyGrowthPredictsTheTimeItFills() throws {
        // 2 points an hour, at 80 % now: full in 10 hours.
        let prediction = try #require(FillPrediction.predict(Self.series { 80 - Double($0) / 30 }, now: Self.now, window: Self.window))
        #expect(abs(prediction.growthPerHour - 2) < 0.001)
        #expect(abs(prediction.fullAt.timeIntervalSince(Self.now) - 10 * 3600) < 60)
    }

    @Test func aCleanupRestartsTheLine() throws {
        // Grew fast to 95 %, cleaned down to 40 % two hours ago, growing 1 point an hour since.
        let samples = Self.series { $0 > 120 ? 95 - Double($0 - 120) / 10 : 40 - Double($0) / 60 }
        let prediction = try #require(FillPrediction.predict(samples, now: Self.now, window: Self.window))
        #expect(abs(prediction.growthPerHour - 1) < 0.001)
        #expect(abs(prediction.fullAt.timeIntervalSince(Self.now) - 60 * 3600) < 60)
    }

    @Test func aFlatDiskNeverFills() {
        #expect(FillPrediction.predict(Self.series { _ in 70 }, now: Self.now, window: Self.window) == nil)
        // Shrinking slowly: no prediction either.
        #expect(FillPrediction.predict(Self.series { 70 + Double($0) / 360 }, now: Self.now, window: Self.window) == nil)
    }

    @Test func noiseDoesNotHideTheTrend() throws {
        // 3 points an hour under ±1 point of noise, 70 % now: full in about 10 hours.
        let samples = Self.series { 70 - Double($0) / 20 + Self.noise($0) }
        let prediction = try #require(FillPrediction.predict(samples, now: Self.now, window: Self.window))
        #expect(abs(prediction.growthPerHour - 3) < 0.3, "\(prediction.growthPerHour)")
        #expect(abs(prediction.fullAt.timeIntervalSince(Self.now) / 3600 - 10) < 1, "\(prediction.fullAt)")
        // Noise alone is not growth.
        #expect(FillPrediction.predict(Self.series { 70 + Self.noise($0) * 0.5 }, now: Self.now, window: Self.window).map { $0.growthPerHour < 0.2 } ?? true)
    }

    @Test func tooLittleHistoryIsNoPrediction() {
        let recent = Self.series { 80 - Double($0) / 30 }.suffix(30)
        #expect(FillPrediction.predict(Array(recent), now: Self.now, window: Self.window) == nil)
        #expect(FillPrediction.predict([], now: Self.now, window: Self.window) == nil)
    }

    @Test func theDiskRuleAlertsBeforeTheThresholdAndSaysWhen() {
        let check = RulesTests.check(.disk, value: 80)
        let verdict = Rules.evaluate(check, samples: Self.series { 80 - Double($0) / 30 }, now: Self.now, settings: RuleSettings())
        #expect(verdict == .alert("fills up within 1 d: 80% used, growing 2%/h, full around 2027-01-15 18:00 UTC"))
        // Growing too slowly to fill within a day: ok.
        let slow = Rules.evaluate(check, samples: Self.series { 80 - Double($0) / 600 }, now: Self.now, settings: RuleSettings())
        #expect(slow == .ok("80% used"))
        var off = RuleSettings()
        off.diskFillWithin = nil
        #expect(Rules.evaluate(check, samples: Self.series { 80 - Double($0) / 30 }, now: Self.now, settings: off).state == .ok)
    }
}

extension FillPredictionTests {
    /// Ingest reads six hours of samples per disk with about one report in 60, and different
    /// checks at different reports.
    @Test func aDiskIsPredictedWithAboutOneReportInSixty() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var dueTimes: [String: Set<Int>] = [:]
        for key in ["web-1/disk:/", "db-1/disk:/var", "x"] {
            let due = (0..<6000).filter { AlertEvaluator.fillDue(start.addingTimeInterval(Double($0 * 60)), key: key) }
            #expect((60...140).contains(due.count), "\(key): \(due.count) of 6000")
            dueTimes[key] = Set(due)
        }
        #expect(dueTimes["web-1/disk:/"] != dueTimes["db-1/disk:/var"], "the checks' reports are spread")
    }
}
