import Foundation
import Logging

/// Sends HTTP requests and downloads files through libcurl, with retries.
///
/// Stateless apart from its settings, so one client can be shared by any number of tasks. Each
/// attempt uses a fresh easy handle on a dedicated thread (see `Transfer`); TLS verification is
/// always on and only http and https are allowed, with no option to change either. Cancelling
/// the calling task aborts the transfer, or the wait before a retry, with ``CurlError/Code/cancelled``.
///
/// With a logger, every attempt is logged at debug (method, URL without userinfo, status,
/// elapsed, attempt n/m) and every retry at notice with its reason and delay. Header values are
/// never logged.
public final class HTTPClient: Sendable {
    public let userAgent: String
    public let retry: RetryPolicy
    let logger: Logger?

    public init(userAgent: String = "sluice", retry: RetryPolicy = .default, logger: Logger? = nil) {
        self.userAgent = userAgent
        self.retry = retry
        self.logger = logger
        _ = CurlLibrary.globalInitResult
    }

    /// Sends `request` and returns the final response, whatever its status.
    ///
    /// Retries as `retry` (or the client's policy) says. After the last attempt the last
    /// response is returned, a 5xx included; a transport failure is thrown as ``CurlError``.
    public func send(_ request: HTTPRequest, retry: RetryPolicy? = nil) async throws -> HTTPResponse {
        let outcome = try await withRetries(request, policy: retry ?? self.retry) {
            try await Transfer.perform(request, userAgent: self.userAgent, sink: .memory)
        }
        return HTTPResponse(status: outcome.status, headers: outcome.headers, body: outcome.body)
    }

    /// Streams the response body of `request` into `destination`, hashing it on the way.
    ///
    /// The body goes to a hidden temporary file in the destination's folder, which is renamed
    /// over `destination` only when the transfer completes with a 2xx status, so a reader never
    /// sees a partial file. A final non-2xx status throws ``CurlError/Code/httpStatus`` and leaves
    /// no file behind.
    public func download(_ request: HTTPRequest, to destination: URL, retry: RetryPolicy? = nil) async throws
        -> Download
    {
        let folder = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        let outcome = try await withRetries(request, policy: retry ?? self.retry) {
            let partial = folder.appendingPathComponent(".\(name).\(UUID().uuidString).partial")
            return try await Transfer.perform(request, userAgent: self.userAgent, sink: .file(partial))
        }
        guard let partial = outcome.file, let sha256 = outcome.sha256 else {
            throw CurlError(
                .httpStatus, httpStatus: outcome.status,
                message: "\(request.method) \(Redaction.displayURL(request.url)) answered \(outcome.status)")
        }
        guard rename(partial.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: partial)
            throw CurlError(.fileSystem, message: "could not move the download to \(destination.path): \(reason)")
        }
        return Download(status: outcome.status, byteCount: outcome.byteCount, sha256: sha256)
    }

    /// Runs `attempt` until it gives a response that is not retryable, a terminal error, or the
    /// policy's attempts run out, sleeping between attempts.
    private func withRetries(
        _ request: HTTPRequest, policy: RetryPolicy, attempt: () async throws -> Transfer.Outcome
    ) async throws -> Transfer.Outcome {
        let url = Redaction.displayURL(request.url)
        let clock = ContinuousClock()
        var number = 1
        while true {
            if Task.isCancelled { throw CurlError.cancelledBeforeStart }
            var metadata: Logger.Metadata = [
                "http.method": "\(request.method)", "http.url": "\(url)",
                "attempt": "\(number)/\(policy.maxAttempts)",
            ]
            let start = clock.now
            let delay: Duration
            do {
                let outcome = try await attempt()
                metadata["http.status"] = "\(outcome.status)"
                metadata["elapsed"] = "\(Self.format(clock.now - start))"
                logger?.debug("HTTP attempt finished", metadata: metadata)
                guard number < policy.maxAttempts, RetryPolicy.isRetryable(status: outcome.status) else {
                    return outcome
                }
                delay = policy.delay(
                    afterAttempt: number, status: outcome.status, retryAfter: outcome.headers.first(named: "Retry-After"))
                metadata["reason"] = "status \(outcome.status)"
            } catch let error as CurlError {
                metadata["error"] = "\(error)"
                metadata["elapsed"] = "\(Self.format(clock.now - start))"
                logger?.debug("HTTP attempt failed", metadata: metadata)
                guard number < policy.maxAttempts, error.isRetryable else { throw error }
                delay = policy.backoff(afterAttempt: number)
                metadata["reason"] = "\(error.code): \(error.message)"
                metadata["error"] = nil
            }
            metadata["delay"] = "\(Self.format(delay))"
            logger?.notice("Retrying HTTP request", metadata: metadata)
            do {
                try await Task.sleep(for: delay, clock: clock)
            } catch {
                throw CurlError(.cancelled, message: "the request was cancelled while waiting to retry")
            }
            number += 1
        }
    }

    private static func format(_ duration: Duration) -> String {
        String(format: "%.3fs", duration.seconds)
    }
}
