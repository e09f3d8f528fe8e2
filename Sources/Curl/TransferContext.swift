import CCurl
import Crypto
import Foundation

/// What libcurl's callbacks write into during one attempt: headers, body or file, hash.
///
/// Owned by the single transfer closure and only touched on its thread (libcurl calls the
/// callbacks from inside `curl_easy_perform`), so it needs no lock. The first Swift error raised
/// in a callback is kept here, the callback aborts the transfer, and the error is rethrown after
/// `curl_easy_perform` returns.
final class TransferContext {
    let handle: UnsafeMutableRawPointer
    let cancel: CancelFlag
    /// Where the body goes when downloading; nil keeps it in ``body``.
    let file: FileHandle?
    /// Where an upload's body comes from.
    let source: FileHandle?

    private(set) var headers: [HTTPHeader] = []
    private(set) var body = Data()
    private(set) var byteCount = 0
    private(set) var hasher = SHA256()
    private(set) var firstError: (any Error)?

    init(handle: UnsafeMutableRawPointer, cancel: CancelFlag, file: FileHandle?, source: FileHandle?) {
        self.handle = handle
        self.cancel = cancel
        self.file = file
        self.source = source
    }

    /// Fills `buffer` with the next bytes of the upload; returns how many (0 at its end), or
    /// `CURL_READFUNC_ABORT` when the file cannot be read.
    func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard firstError == nil, let source else { return Int(CURL_READFUNC_ABORT) }
        do {
            guard let bytes = try source.read(upToCount: buffer.count), !bytes.isEmpty else { return 0 }
            return bytes.copyBytes(to: buffer)
        } catch {
            firstError = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    /// Takes one chunk of body; returns the bytes consumed (anything else aborts the transfer).
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard firstError == nil else { return 0 }
        guard let file else {
            body.append(contentsOf: bytes)
            byteCount += bytes.count
            return bytes.count
        }
        // Only a 2xx body is the file; an error page is dropped, not hashed or written.
        guard (200..<300).contains(currentStatus) else { return bytes.count }
        do {
            try file.write(contentsOf: bytes)
        } catch {
            firstError = error
            return 0
        }
        hasher.update(bufferPointer: bytes)
        byteCount += bytes.count
        return bytes.count
    }

    /// Takes one header line. A status line starts a new response (after a redirect or a 1xx),
    /// so the headers collected so far are dropped.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty {
                headers.append(HTTPHeader(name: name, value: value))
            }
        }
        return bytes.count
    }

    /// The status of the response being received, or 0 before one has arrived.
    var currentStatus: Int {
        var status = 0
        _ = sluice_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }
}
