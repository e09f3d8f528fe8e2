import Foundation
import Glibc

/// A step's log file, capped at a byte limit by keeping the head and the tail of the output.
///
/// The end of the output usually explains a failure and the start shows the set-up, so when the output
/// exceeds `limit` the file becomes: the whole lines within the first `limit / 2` bytes, one marker line
/// `[sluice: N bytes of output omitted]`, then the whole lines within the last `limit - limit / 2` bytes.
/// The file therefore never exceeds `limit` plus the marker line. Until the limit is reached the file is written
/// as output arrives, so it can be followed live; past it, only the tail is held in memory (at most twice its
/// size between compactions), and the file is rewritten once, by `finish()`.
///
/// It holds a file descriptor and is used by one task only, so it is a class that is not `Sendable`.
final class StepLog {
    private let descriptor: Int32
    private let limit: Int
    private let headLimit: Int
    private let tailLimit: Int
    /// Bytes written to the file so far.
    private var fileBytes = 0
    /// Where the last whole line within `headLimit` ends: what stays at the top of a truncated log.
    private var headEnd = 0
    /// Bytes of output after `headEnd` so far, whether written to the file or seen only in `tail`.
    private var bytesAfterHead = 0
    /// Whether the limit was passed, so that `tail` holds the end of the output.
    private var overflowed = false
    /// The end of the output past the limit; `tail[tailStart...]` is what the file keeps.
    private var tail: [UInt8] = []
    private var tailStart = 0
    /// Whether the kept tail starts inside a line (its first partial line is dropped at the end).
    private var tailCutMidLine = false

    /// Creates the log at `url`, refusing anything already there: a step that planted a file or a
    /// symlink at the path gets the step refused, never a file of its choosing overwritten.
    init(at url: URL, limit: Int) throws(POSIXError) {
        descriptor = open(url.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Self.lastError()
        }
        self.limit = max(limit, 0)
        headLimit = self.limit / 2
        tailLimit = self.limit - headLimit
    }

    deinit {
        close(descriptor)
    }

    /// Adds one line; `bytes` ends with its newline.
    func append(_ bytes: [UInt8]) throws(POSIXError) {
        if !overflowed, fileBytes + bytes.count <= limit {
            try write(bytes, at: fileBytes)
            fileBytes += bytes.count
            if fileBytes <= headLimit {
                headEnd = fileBytes
            }
            bytesAfterHead = fileBytes - headEnd
            return
        }
        if !overflowed {
            overflowed = true
            tail = try read(from: headEnd, to: fileBytes)
        }
        bytesAfterHead += bytes.count
        tail.append(contentsOf: bytes)
        if tail.count - tailStart > tailLimit {
            tailStart = tail.count - tailLimit
            tailCutMidLine = tail[tailStart - 1] != Self.newline
        }
        if tailStart > tailLimit {
            tail.removeFirst(tailStart)
            tailStart = 0
        }
    }

    /// Rewrites a truncated file as head, marker and tail; returns the file's size and whether it was truncated.
    func finish() throws(POSIXError) -> (bytes: Int, truncated: Bool) {
        guard overflowed else {
            return (fileBytes, false)
        }
        var kept = tail[tailStart...]
        if tailCutMidLine, let newline = kept.firstIndex(of: Self.newline), newline < kept.endIndex - 1 {
            kept = kept[(newline + 1)...]
        }
        let marker = Array("[sluice: \(bytesAfterHead - kept.count) bytes of output omitted]\n".utf8)
        guard ftruncate(descriptor, off_t(headEnd)) == 0 else {
            throw Self.lastError()
        }
        try write(marker + kept, at: headEnd)
        fileBytes = headEnd + marker.count + kept.count
        return (fileBytes, true)
    }

    private static let newline = UInt8(ascii: "\n")

    private static func lastError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }

    private func write(_ bytes: [UInt8], at offset: Int) throws(POSIXError) {
        try Self.transfer(bytes.count) { done in
            bytes[done...].withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset + done)) }
        }
    }

    private func read(from start: Int, to end: Int) throws(POSIXError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: end - start)
        try Self.transfer(bytes.count) { done in
            bytes[done...].withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(start + done)) }
        }
        return bytes
    }

    /// Calls `call` with the byte count done so far until `total` bytes are done: `pread` and
    /// `pwrite` may do fewer than asked, or be interrupted by a signal (then they are called again).
    private static func transfer(_ total: Int, _ call: (_ done: Int) -> Int) throws(POSIXError) {
        var done = 0
        while done < total {
            let count = call(done)
            guard count > 0 else {
                if count < 0, errno == EINTR { continue }
                throw lastError()
            }
            done += count
        }
    }
}
