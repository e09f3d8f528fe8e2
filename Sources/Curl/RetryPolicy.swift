import Foundation

/// How ``HTTPClient`` retries: how many attempts, and how long to wait between them.
///
/// Retried: transport failures that may be transient (``CurlError/isRetryable``), every 5xx and
/// 429. Never retried: any other 4xx, which says the request itself is wrong. The wait is
/// exponential backoff with full jitter (a random delay between zero and
/// `min(maxDelay, baseDelay * 2^(n-1))`), so many clients do not retry in step; a `Retry-After`
/// on a 429 or 503 replaces it, capped at ``maxDelay`` so a server cannot park us for hours.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; 1 means no retry.
    public var maxAttempts: Int
    var baseDelay: Duration
    var maxDelay: Duration

    public init(
        maxAttempts: Int = 4,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Four attempts, 0.5 s base delay, 30 s cap.
    public static let `default` = RetryPolicy()

    /// One attempt, no retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Whether a response with this status should be retried (any 5xx, and 429).
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500..<600).contains(status)
    }

    /// The jittered backoff before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let ceiling = exponentialCeiling(afterAttempt: attempt)
        let seconds = ceiling.seconds * Double.random(in: 0...1)
        return .seconds(seconds)
    }

    /// The wait before retrying a response: its `Retry-After` for 429 and 503 when present and
    /// valid, capped at ``maxDelay``; otherwise the jittered backoff.
    func delay(afterAttempt attempt: Int, status: Int, retryAfter: String?, now: Date = Date()) -> Duration {
        if status == 429 || status == 503, let retryAfter,
            let wait = Self.parseRetryAfter(retryAfter, now: now)
        {
            return min(wait, maxDelay)
        }
        return backoff(afterAttempt: attempt)
    }

    /// `min(maxDelay, baseDelay * 2^(attempt-1))`, without overflowing for large attempts.
    func exponentialCeiling(afterAttempt attempt: Int) -> Duration {
        let exponent = Double(min(max(attempt - 1, 0), 62))
        let seconds = baseDelay.seconds * pow(2, exponent)
        return seconds >= maxDelay.seconds ? maxDelay : .seconds(seconds)
    }

    /// A `Retry-After` value as a wait: delta-seconds, or an HTTP-date (IMF-fixdate, RFC 850 or
    /// asctime) relative to `now`. A date in the past is zero; anything else is nil.
    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            // Very long digit strings overflow Int: treat them as "very long".
            return .seconds(Int(text) ?? Int(Int32.max))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                return .seconds(max(0, date.timeIntervalSince(now)))
            }
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, rounded up so a short positive timeout never becomes
    /// zero (which libcurl reads as "no timeout").
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(1, Int(clamping: millis))
    }
}
