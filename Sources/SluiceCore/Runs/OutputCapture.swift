import Foundation

/// Turns a step's merged output into redacted lines for the log and the listener.
///
/// Output arrives in chunks that split lines (and secrets) anywhere, so bytes are held until a newline and each
/// whole line is redacted at once. A line that grows past `pieceLength` bytes is delivered in pieces instead of
/// being held forever; each cut is placed so that no secret can straddle it (see `Redactor.redact(_:decidedBefore:)`)
/// and on a UTF-8 boundary. A trailing `\r` is dropped, a partial last line is delivered at the end, and each line
/// or piece is written to the log with a newline after it.
struct OutputCapture {
    static let pieceLength = 64 * 1024
    private static let newline = UInt8(ascii: "\n")

    private let redactor: Redactor
    private let log: StepLog
    private let onLine: @Sendable (String) -> Void
    /// The current line's bytes that have not been delivered yet.
    private var pending: [UInt8] = []
    /// The last delivered line that was not blank.
    private var lastLine: String?

    init(redactor: Redactor, log: StepLog, onLine: @escaping @Sendable (String) -> Void) {
        self.redactor = redactor
        self.log = log
        self.onLine = onLine
    }

    /// Takes the next chunk of output.
    mutating func consume(_ chunk: [UInt8]) throws(POSIXError) {
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: Self.newline) {
            pending.append(contentsOf: chunk[start..<newline])
            try deliverLongPieces()
            if pending.last == UInt8(ascii: "\r") {
                pending.removeLast()
            }
            try deliver(redactor.redact(pending, decidedBefore: pending.count).redacted)
            pending.removeAll(keepingCapacity: true)
            start = newline + 1
        }
        pending.append(contentsOf: chunk[start...])
        try deliverLongPieces()
    }

    /// Delivers a partial last line, if any; returns the log's size, whether it was truncated, and
    /// the last line that was not blank.
    mutating func finish() throws(POSIXError) -> (bytes: Int, truncated: Bool, lastLine: String?) {
        if !pending.isEmpty {
            try deliver(redactor.redact(pending, decidedBefore: pending.count).redacted)
            pending.removeAll()
        }
        let (bytes, truncated) = try log.finish()
        return (bytes, truncated, lastLine)
    }

    /// Delivers the decided front of an overlong line, leaving at most `pieceLength + longestSecret` bytes pending.
    private mutating func deliverLongPieces() throws(POSIXError) {
        while pending.count >= Self.pieceLength + redactor.longestSecret {
            // Back off to the start of a UTF-8 sequence (at most 3 bytes); bytes that are not UTF-8 are cut anywhere.
            var cut = Self.pieceLength
            while cut > Self.pieceLength - 3, pending[cut] & 0xC0 == 0x80 {
                cut -= 1
            }
            let (piece, consumed) = redactor.redact(pending, decidedBefore: cut)
            try deliver(piece)
            pending.removeFirst(consumed)
        }
    }

    private mutating func deliver(_ redacted: [UInt8]) throws(POSIXError) {
        let line = String(decoding: redacted, as: UTF8.self)
        if !line.allSatisfy(\.isWhitespace) { lastLine = line }
        onLine(line)
        try log.append(Array(line.utf8) + [Self.newline])
    }
}
