import CGit2
import CodedErrors

/// A failed git operation: what kind of failure, which libgit2 function, and libgit2's message.
///
/// The code is derived from libgit2's return code and error class first, because its messages can
/// be stale (a bad password once read "config value 'http.followRedirects' was not found").
/// Messages never carry a credential: URL user-info and every secret of the operation are removed.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public typealias Code = ErrorCode<GitError>

    public let code: Code
    /// The libgit2 function (or this module's operation) that failed.
    let function: String
    public let message: String

    public init(_ code: Code, function: String, message: String) {
        self.code = code
        self.function = function
        self.message = message
    }

    public var description: String { "\(function): \(message) (\(code))" }

    /// Reads libgit2's last error right after `function` returned `result`.
    init(libgit2 result: Int32, function: String, redacting secrets: [String]) {
        let last = git_error_last()
        let errorClass = last.map { Int32($0.pointee.klass) } ?? 0
        let raw = last.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "libgit2 returned \(result)"
        self.init(
            Self.classify(result, errorClass: errorClass, message: raw),
            function: function,
            message: Redaction.scrub(raw, secrets: secrets))
    }

    private static func classify(_ result: Int32, errorClass: Int32, message: String) -> Code {
        switch result {
        case GIT_ENOTFOUND.rawValue: return .notFound
        case GIT_EAUTH.rawValue: return .authentication
        case GIT_ENONFASTFORWARD.rawValue: return .rejectedPush
        case GIT_EINVALIDSPEC.rawValue, GIT_EINVALID.rawValue, GIT_EAMBIGUOUS.rawValue: return .invalidInput
        case GIT_ECERTIFICATE.rawValue: return .network
        default: break
        }
        switch UInt32(errorClass) {
        case GIT_ERROR_HTTP.rawValue where message.contains("401") || message.contains("403"):
            return .authentication
        case GIT_ERROR_HTTP.rawValue where message.contains("404"):
            return .notFound
        case GIT_ERROR_OS.rawValue where message.hasSuffix("No such file or directory"):
            return .notFound
        case GIT_ERROR_NET.rawValue, GIT_ERROR_HTTP.rawValue, GIT_ERROR_SSH.rawValue, GIT_ERROR_SSL.rawValue:
            return .network
        default:
            return .other
        }
    }
}

/// Throws the libgit2 error when `result` is negative; returns it otherwise.
@discardableResult
func check(_ result: Int32, _ function: String, redacting secrets: [String] = []) throws(GitError) -> Int32 {
    guard result < 0 else { return result }
    throw GitError(libgit2: result, function: function, redacting: secrets)
}

extension ErrorCode<GitError> {
    /// A repository, reference, object or path that does not exist.
    public static var notFound: Self { Self("not found") }
    /// The server refused the credentials, or none were configured.
    public static var authentication: Self { Self("authentication") }
    /// Could not connect, the connection broke, or it stalled past its timeout. Retryable.
    public static var network: Self { Self("network") }
    /// The server refused a reference update because the remote moved on. Fetch and retry.
    public static var rejectedPush: Self { Self("rejected push") }
    /// The caller passed something malformed: a bad ref name, path, URL or trailer.
    public static var invalidInput: Self { Self("invalid input") }
    /// A `Cancellation` stopped the operation.
    public static var cancelled: Self { Self("cancelled") }
    public static var other: Self { Self("other") }
}
