import Foundation
import NIOConcurrencyHelpers

/// Requests per second per client address, as a token bucket (a burst of one
/// second's worth). `--rate-limit 0` means no limiter at all.
final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var last: Double }
    private let rate: Double
    private let buckets = NIOLockedValueBox([String: Bucket]())

    init(perSecond: Int) {
        rate = Double(perSecond)
    }

    func allow(_ client: String, now: Double = ProcessInfo.processInfo.systemUptime) -> Bool {
        buckets.withLockedValue { buckets in
            if buckets.count > 100_000 { buckets = buckets.filter { now - $0.value.last < 10 } }
            var bucket = buckets[client] ?? Bucket(tokens: rate, last: now)
            bucket.tokens = min(rate, bucket.tokens + (now - bucket.last) * rate)
            bucket.last = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[client] = bucket
            return allowed
        }
    }
}
