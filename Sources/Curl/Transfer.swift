import CCurl
import Foundation

/// One attempt of one request: an easy handle made, used and cleaned up in a single closure.
///
/// `curl_easy_perform` blocks, so the closure runs on a thread of its own, never on Swift's
/// cooperative pool, and resumes a continuation when done. No C handle escapes it. (Not a
/// concurrent DispatchQueue: on Linux its pool stays near the core count, so a few slow
/// transfers would hold up every other.)
/// Task cancellation sets a ``CancelFlag`` that the progress callback checks.
enum Transfer {
    /// Where an attempt's body goes.
    enum Sink: Sendable {
        /// Kept in memory and returned.
        case memory
        /// Streamed into a new file at this URL, hashed on the way. The file is removed unless
        /// the attempt completes with a 2xx status.
        case file(URL)
    }

    /// What one completed attempt received.
    struct Outcome: Sendable {
        var status: Int
        var headers: [HTTPHeader]
        var body: Data
        var byteCount: Int
        /// SHA-256 of the file's bytes, lowercase hex; only for a file sink.
        var sha256: String?
        /// The written file; only for a file sink and a 2xx status.
        var file: URL?
    }

    /// Runs one attempt off the cooperative pool; throws ``CurlError`` only.
    static func perform(_ request: HTTPRequest, userAgent: String, sink: Sink) async throws -> Outcome {
        let cancel = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try run(request, userAgent: userAgent, sink: sink, cancel: cancel) })
                }
                thread.name = "sluice.curl.transfer"
                thread.start()
            }
        } onCancel: {
            cancel.set()
        }
    }

    /// The blocking body of an attempt.
    private static func run(_ request: HTTPRequest, userAgent: String, sink: Sink, cancel: CancelFlag) throws -> Outcome {
        try CurlLibrary.ensureInitialized()
        if cancel.isSet { throw CurlError.cancelledBeforeStart }

        var file: FileHandle?
        var fileURL: URL?
        var keepFile = false
        if case .file(let url) = sink {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CurlError(.fileSystem, message: "could not create \(url.path)")
            }
            fileURL = url
            do {
                file = try FileHandle(forWritingTo: url)
            } catch {
                try? FileManager.default.removeItem(at: url)
                throw CurlError(.fileSystem, message: "could not open \(url.path): \(error)")
            }
        }
        defer {
            try? file?.close()
            if let fileURL, !keepFile {
                try? FileManager.default.removeItem(at: fileURL)
            }
        }

        var source: FileHandle?
        var uploadSize: Int64?
        if let bodyFile = request.bodyFile {
            do {
                let opened = try FileHandle(forReadingFrom: bodyFile)
                source = opened
                uploadSize = Int64(try opened.seekToEnd())
                try opened.seek(toOffset: 0)
            } catch {
                throw CurlError(.fileSystem, message: "could not read the body from \(bodyFile.path): \(error)")
            }
        }
        defer { try? source?.close() }

        guard let handle = curl_easy_init() else {
            throw CurlError(.other, message: "curl_easy_init failed")
        }
        defer { curl_easy_cleanup(handle) }

        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        let secrets = request.secrets
        let options = EasyOptions(handle: handle, secrets: secrets)
        try options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try configure(options, request: request, userAgent: userAgent, uploadSize: uploadSize, headerList: &headerList)

        let context = TransferContext(handle: handle, cancel: cancel, file: file, source: source)
        let code: CURLcode = try withExtendedLifetime(context) {
            let payload = Unmanaged.passUnretained(context).toOpaque()
            try options.set(CURLOPT_WRITEFUNCTION, writeFunction: CurlCallbacks.write)
            try options.set(CURLOPT_WRITEDATA, pointer: payload)
            try options.set(CURLOPT_HEADERFUNCTION, writeFunction: CurlCallbacks.header)
            try options.set(CURLOPT_HEADERDATA, pointer: payload)
            if source != nil {
                try options.check(sluice_easy_setopt_read_function(handle, CurlCallbacks.read), "READFUNCTION")
                try options.set(CURLOPT_READDATA, pointer: payload)
            }
            try options.check(sluice_easy_setopt_xferinfo_function(handle, CurlCallbacks.progress), "XFERINFOFUNCTION")
            try options.set(CURLOPT_XFERINFODATA, pointer: payload)
            try options.set(CURLOPT_NOPROGRESS, 0)
            return curl_easy_perform(handle)
        }

        if let error = context.firstError {
            throw CurlError(
                .fileSystem, curlCode: Int(code.rawValue),
                message: Redaction.redact("could not \(source == nil ? "write the download" : "read the body"): \(error)", secrets: secrets))
        }
        if code != CURLE_OK {
            if cancel.isSet {
                throw CurlError(.cancelled, curlCode: Int(code.rawValue), message: "the request was cancelled")
            }
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            let number = Int(code.rawValue)
            throw CurlError(
                CurlError.code(forCurlCode: number), curlCode: number,
                message: Redaction.redact(message, secrets: secrets))
        }

        let status = context.currentStatus
        var outcome = Outcome(
            status: status, headers: context.headers, body: context.body, byteCount: context.byteCount)
        if let file, let fileURL {
            outcome.sha256 = context.hasher.finalize().map { String(format: "%02x", $0) }.joined()
            if (200..<300).contains(status) {
                do {
                    try file.synchronize()
                } catch {
                    throw CurlError(.fileSystem, message: "could not flush \(fileURL.path): \(error)")
                }
                keepFile = true
                outcome.file = fileURL
            }
        }
        return outcome
    }

    /// Sets every request-dependent option: method, URL, headers, body, signature, limits and the
    /// fixed security options (TLS verification on, http and https only, no signals).
    /// `uploadSize` is the size of ``HTTPRequest/bodyFile``, opened by the caller.
    private static func configure(
        _ options: EasyOptions, request: HTTPRequest, userAgent: String, uploadSize: Int64?,
        headerList: inout UnsafeMutablePointer<curl_slist>?
    ) throws {
        guard request.body == nil || request.bodyFile == nil else {
            throw CurlError(.invalidRequest, message: "a request has a body or a body file, not both")
        }
        guard request.method.isValidToken else {
            throw CurlError(.invalidRequest, message: "invalid HTTP method \(request.method)")
        }
        for header in request.headers where !header.isWellFormed {
            throw CurlError(.invalidRequest, message: "invalid header \(header)")
        }

        try options.set(CURLOPT_NOSIGNAL, 1)
        try options.set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        try options.set(CURLOPT_REDIR_PROTOCOLS_STR, string: "http,https")
        try options.set(CURLOPT_SSL_VERIFYPEER, 1)
        try options.set(CURLOPT_SSL_VERIFYHOST, 2)
        try options.set(CURLOPT_URL, string: request.url)
        try options.set(CURLOPT_USERAGENT, string: userAgent)
        try options.set(CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds)
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds)
        if request.followRedirects {
            try options.set(CURLOPT_FOLLOWLOCATION, 1)
            try options.set(CURLOPT_MAXREDIRS, HTTPRequest.maxRedirects)
        } else {
            try options.set(CURLOPT_FOLLOWLOCATION, 0)
        }

        if let signature = request.signature {
            try options.set(CURLOPT_AWS_SIGV4, string: signature.curlProvider)
            try options.set(CURLOPT_USERNAME, string: signature.accessKeyID)
            try options.set(CURLOPT_PASSWORD, string: signature.secretAccessKey)
        }

        if request.method == .head {
            try options.set(CURLOPT_NOBODY, 1)
        } else if let uploadSize {
            try options.set(CURLOPT_UPLOAD, 1)
            try options.set(CURLOPT_INFILESIZE_LARGE, offset: curl_off_t(uploadSize))
            if request.method != .put {
                try options.set(CURLOPT_CUSTOMREQUEST, string: request.method.rawValue)
            }
        } else if let body = request.body {
            try options.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            // COPYPOSTFIELDS copies the bytes now, so the Data need not outlive this call.
            try body.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress {
                    try options.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: base))
                } else {
                    try options.set(CURLOPT_COPYPOSTFIELDS, string: "")
                }
            }
            if request.method != .post {
                try options.set(CURLOPT_CUSTOMREQUEST, string: request.method.rawValue)
            }
        } else if request.method == .get {
            try options.set(CURLOPT_HTTPGET, 1)
        } else if request.method == .post {
            try options.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: 0)
            try options.set(CURLOPT_COPYPOSTFIELDS, string: "")
        } else {
            try options.set(CURLOPT_CUSTOMREQUEST, string: request.method.rawValue)
        }

        var lines = request.headers.map { header in
            // "Name;" is curl's way to send a header with an empty value.
            header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
        }
        // Without this curl waits for "100 Continue" before sending bodies over 1 KiB. Not on a
        // signed request: libcurl 7.88 signs the removed header as an empty `expect`, which the
        // server never sees, so the signature would not match (S3 answers 100 Continue anyway).
        if request.signature == nil, !request.headers.contains(where: { $0.hasName("Expect") }) {
            lines.append("Expect:")
        }
        if request.body != nil || request.bodyFile != nil, !request.headers.contains(where: { $0.hasName("Content-Type") }) {
            lines.append("Content-Type: application/octet-stream")
        }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw CurlError(.other, message: "curl_slist_append failed")
            }
            headerList = appended
        }
        try options.set(CURLOPT_HTTPHEADER, list: headerList)
    }
}
