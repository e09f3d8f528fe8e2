import Foundation
import Testing

@testable import Curl

@Suite("RetryPolicy decisions")
struct RetryPolicyTests {
    @Test("Any 5xx and 429 are retryable; other 4xx and 2xx are not")
    func retryableStatuses() {
        for status in [429, 500, 502, 503, 504, 599] {
            #expect(RetryPolicy.isRetryable(status: status))
        }
        for status in [200, 204, 301, 400, 401, 403, 404, 409, 422] {
            #expect(!RetryPolicy.isRetryable(status: status))
        }
    }

    @Test("Backoff stays between zero and the capped exponential ceiling")
    func backoffBounds() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.exponentialCeiling(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.exponentialCeiling(afterAttempt: 3) == .milliseconds(400))
        #expect(policy.exponentialCeiling(afterAttempt: 8) == .seconds(1))
        #expect(policy.exponentialCeiling(afterAttempt: 10_000) == .seconds(1))
        for attempt in 1...8 {
            let delay = policy.backoff(afterAttempt: attempt)
            #expect(delay >= .zero)
            #expect(delay <= policy.exponentialCeiling(afterAttempt: attempt))
        }
    }

    @Test("Retry-After is read as delta-seconds or as an HTTP-date")
    func parsesRetryAfter() throws {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.parseRetryAfter("7", now: now) == .seconds(7))
        #expect(RetryPolicy.parseRetryAfter(" 0 ", now: now) == .zero)
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
        #expect(RetryPolicy.parseRetryAfter("Sunday, 06-Nov-94 08:49:40 GMT", now: now) == .seconds(3))
        #expect(RetryPolicy.parseRetryAfter("Sun Nov  6 08:49:39 1994", now: now) == .seconds(2))
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("-5", now: now) == nil)
    }

    @Test("Retry-After applies to 429 and 503 only and is capped at the maximum delay")
    func retryAfterScope() {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .seconds(5))
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "2") == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, status: 503, retryAfter: "3600") == .seconds(5))
        #expect(policy.delay(afterAttempt: 1, status: 500, retryAfter: "3") <= .milliseconds(10))
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "garbage") <= .milliseconds(10))
    }

    @Test("The none policy makes exactly one attempt")
    func nonePolicy() {
        #expect(RetryPolicy.none.maxAttempts == 1)
        #expect(RetryPolicy.default.maxAttempts == 4)
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}
