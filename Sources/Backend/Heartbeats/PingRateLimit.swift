import Foundation
import Synchronization

/// Pings per check, as a token bucket: bursts of `burst`, then one every `interval` seconds. A
/// leaked ping URL in a loop gets 429s instead of a database write each time. In memory and per
/// backend: it bounds the load, and the pings kept per check bound the disk.
final class PingRateLimit: Sendable {
    private struct Bucket {
        var tokens: Double
        var at: Date
    }

    let burst: Double
    let interval: TimeInterval
    private let buckets = Mutex<[String: Bucket]>([:])
    private let maxKeys = 100_000

    init(burst: Int = 30, interval: TimeInterval = 1) {
        self.burst = Double(burst)
        self.interval = interval
    }

    /// Takes one ping from the check's bucket; false when it is empty.
    func allow(host: String, check: String, now: Date = Date()) -> Bool {
        let key = host + "\u{0}" + check
        return buckets.withLock { buckets in
            if buckets.count >= maxKeys {
                // Buckets that have refilled are the same as none.
                buckets = buckets.filter { now.timeIntervalSince($0.value.at) / interval + $0.value.tokens < burst }
            }
            var bucket = buckets[key] ?? Bucket(tokens: burst, at: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.at)) / interval)
            bucket.at = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return false
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            return true
        }
    }
}
