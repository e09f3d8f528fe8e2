import CodedErrors

/// A failed transfer: what kind of failure, libcurl's code number and a message.
///
/// `Code` is an open set of kinds that callers branch on; ``curlCode`` keeps libcurl's exact
/// `CURLcode` for diagnosis (nil when the failure did not come from libcurl). The message comes
/// from CURLOPT_ERRORBUFFER or `curl_easy_strerror` and has every secret header value and URL
/// password replaced by `<redacted>` before it is stored.
public struct CurlError: Error, Sendable, Hashable, CustomStringConvertible {
    public typealias Code = ErrorCode<CurlError>

    public var code: Code
    /// libcurl's `CURLcode`, or nil when the failure did not come from libcurl.
    var curlCode: Int?
    /// The HTTP status, for ``Code/httpStatus``.
    public var httpStatus: Int?
    /// A human-readable reason, free of secrets.
    public var message: String

    public init(_ code: Code, curlCode: Int? = nil, httpStatus: Int? = nil, message: String) {
        self.code = code
        self.curlCode = curlCode
        self.httpStatus = httpStatus
        self.message = message
    }

    /// Whether trying again may succeed: connection failures, timeouts and dropped connections.
    ///
    /// TLS failures, invalid requests and file-system errors are terminal.
    public var isRetryable: Bool {
        switch code {
        case .couldNotConnect, .timedOut:
            return true
        case .other:
            return curlCode.map(Self.retryableOtherCodes.contains) ?? false
        default:
            return false
        }
    }

    public var description: String {
        var text = "CurlError(\(code)"
        if let curlCode { text += ", curl \(curlCode)" }
        if let httpStatus { text += ", status \(httpStatus)" }
        return text + "): \(message)"
    }

    /// A cancellation noticed before a transfer started.
    static let cancelledBeforeStart = CurlError(.cancelled, message: "the request was cancelled")

    /// Transport failures outside `couldNotConnect`/`timedOut` that are worth retrying:
    /// HTTP/2 stream errors, partial file, empty reply, send and receive errors.
    static let retryableOtherCodes: Set<Int> = [16, 18, 52, 55, 56, 92]

    /// The kind for a libcurl code number.
    static func code(forCurlCode number: Int) -> Code {
        switch number {
        case 5, 6, 7:  // COULDNT_RESOLVE_PROXY, COULDNT_RESOLVE_HOST, COULDNT_CONNECT
            return .couldNotConnect
        case 28:  // OPERATION_TIMEDOUT
            return .timedOut
        case 35, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98:  // SSL_*, PEER_FAILED_VERIFICATION
            return .tls
        case 42:  // ABORTED_BY_CALLBACK
            return .cancelled
        case 1, 3, 43, 48:  // UNSUPPORTED_PROTOCOL, URL_MALFORMAT, BAD_FUNCTION_ARGUMENT, UNKNOWN_OPTION
            return .invalidRequest
        case 23, 37:  // WRITE_ERROR, FILE_COULDNT_READ_FILE
            return .fileSystem
        default:
            return .other
        }
    }
}

extension ErrorCode<CurlError> {
    /// DNS resolution or the TCP connection failed (retryable).
    static var couldNotConnect: Self { Self("couldNotConnect") }
    /// The connect timeout or the whole-transfer timeout passed (retryable).
    public static var timedOut: Self { Self("timedOut") }
    /// The TLS handshake or certificate verification failed (terminal).
    static var tls: Self { Self("tls") }
    /// The calling task was cancelled.
    public static var cancelled: Self { Self("cancelled") }
    /// The request cannot be sent as given: bad URL, protocol other than http(s), bad header.
    static var invalidRequest: Self { Self("invalidRequest") }
    /// A download could not be written, renamed or cleaned up.
    static var fileSystem: Self { Self("fileSystem") }
    /// A download ended with a non-2xx status; ``CurlError/httpStatus`` has it.
    public static var httpStatus: Self { Self("httpStatus") }
    /// Any other libcurl failure; ``CurlError/curlCode`` says which.
    public static var other: Self { Self("other") }
}
