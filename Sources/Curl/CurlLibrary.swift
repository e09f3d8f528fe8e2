import CCurl

/// Process-wide facts about the linked libcurl, and its one-time global initialisation.
///
/// `curl_global_init` is not thread-safe and must run once before any easy handle is made; a
/// `static let` gives exactly that, lazily and race-free.
public enum CurlLibrary {
    /// The libcurl version, such as `7.88.1`, for `sluice version`.
    public static var version: String {
        String(cString: sluice_curl_version_string())
    }

    /// The result of `curl_global_init(CURL_GLOBAL_ALL)`, run on first use.
    static let globalInitResult: CURLcode = sluice_curl_global_init()

    /// Runs the global initialisation if it has not run, and reports a failure as an error.
    static func ensureInitialized() throws {
        let result = globalInitResult
        guard result == CURLE_OK else {
            throw CurlError(
                .other, curlCode: Int(result.rawValue),
                message: "curl_global_init failed: \(String(cString: curl_easy_strerror(result)))")
        }
    }
}
