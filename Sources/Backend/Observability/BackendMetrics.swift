import Foundation
import Synchronization

/// The backend's own counters and gauges for `/metrics`. One per process, like a Prometheus
/// client's default registry: every part counts into it, the scrape reads it.
final class BackendMetrics: Sendable {
    static let shared = BackendMetrics()

    struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    struct State {
        var requests: [RequestKey: Int] = [:]
        /// Request durations: cumulative counts per upper bound, sum and count.
        var durationBuckets = [Int](repeating: 0, count: BackendMetrics.bounds.count)
        var durationSum = 0.0
        var durationCount = 0
        var reports = 0
        var observations = 0
        var journalEntries = 0
        var flips = 0
        var messagesQueued = 0
        var delivered: [String: Int] = [:]
        var deliveryFailures: [String: Int] = [:]
        var evaluatorLag = 0.0
        var evaluatorLeader = false
        var evaluatorQueue = 0
        var evaluatorBeat: Date?
    }

    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    let state = Mutex(State())
    let started = Date()

    func request(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
            for (index, bound) in Self.bounds.enumerated() where seconds <= bound { state.durationBuckets[index] += 1 }
            state.durationSum += seconds
            state.durationCount += 1
        }
    }

    func ingested(reports: Int = 0, observations: Int = 0, journalEntries: Int = 0) {
        state.withLock { state in
            state.reports += reports
            state.observations += observations
            state.journalEntries += journalEntries
        }
    }

    func evaluated(flips: Int, messages: Int) {
        guard flips > 0 || messages > 0 else { return }
        state.withLock { state in
            state.flips += flips
            state.messagesQueued += messages
        }
    }

    func delivery(channel: String, delivered: Int, failed: Int) {
        state.withLock { state in
            state.delivered[channel, default: 0] += delivered
            state.deliveryFailures[channel, default: 0] += failed
        }
    }

    func evaluator(lag: Double? = nil, leader: Bool? = nil, queue: Int? = nil, beat: Date? = nil) {
        state.withLock { state in
            if let lag { state.evaluatorLag = lag }
            if let leader { state.evaluatorLeader = leader }
            if let queue { state.evaluatorQueue = queue }
            if let beat { state.evaluatorBeat = beat }
        }
    }
}
