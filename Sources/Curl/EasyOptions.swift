import CCurl

/// Typed `curl_easy_setopt` for one easy handle, through the shim's non-variadic wrappers.
///
/// A failing option is an error at once (an unsupported protocol list, say), never ignored.
/// Lives only inside the transfer closure that owns the handle.
struct EasyOptions {
    let handle: UnsafeMutableRawPointer
    /// Values to scrub from error messages.
    let secrets: [String]

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(sluice_easy_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, string value: String) throws {
        // libcurl copies string options (all but POSTFIELDS, which is not used).
        try value.withCString { try check(sluice_easy_setopt_string(handle, option, $0), option) }
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws {
        try check(sluice_easy_setopt_pointer(handle, option, value), option)
    }

    func set(_ option: CURLoption, offset value: curl_off_t) throws {
        try check(sluice_easy_setopt_off(handle, option, value), option)
    }

    func set(_ option: CURLoption, list value: UnsafeMutablePointer<curl_slist>?) throws {
        try check(sluice_easy_setopt_slist(handle, option, value), option)
    }

    func set(_ option: CURLoption, writeFunction value: curl_write_callback) throws {
        try check(sluice_easy_setopt_write_function(handle, option, value), option)
    }

    func check(_ code: CURLcode, _ option: CURLoption) throws {
        try check(code, "option \(option.rawValue)")
    }

    func check(_ code: CURLcode, _ what: String) throws {
        guard code != CURLE_OK else { return }
        let number = Int(code.rawValue)
        let kind = CurlError.code(forCurlCode: number)
        throw CurlError(
            kind == .other ? .invalidRequest : kind, curlCode: number,
            message: Redaction.redact(
                "could not set \(what): \(String(cString: curl_easy_strerror(code)))", secrets: secrets))
    }
}
