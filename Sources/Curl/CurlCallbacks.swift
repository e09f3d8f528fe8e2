import CCurl

/// The C callbacks handed to libcurl.
///
/// `static let` members so they capture nothing and are not actor-isolated; each one recovers its
/// ``TransferContext`` from the `Unmanaged` pointer libcurl passes back.
enum CurlCallbacks {
    /// CURLOPT_WRITEFUNCTION: body bytes.
    static let write: curl_write_callback = { pointer, size, count, userData in
        guard let userData else { return 0 }
        let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
        return context.receiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
    }

    /// CURLOPT_HEADERFUNCTION: one header line at a time, status lines included.
    static let header: curl_write_callback = { pointer, size, count, userData in
        guard let userData else { return 0 }
        let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
        return context.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    }

    /// CURLOPT_READFUNCTION: the next bytes of an upload's body.
    static let read: curl_read_callback = { pointer, size, count, userData in
        guard let userData, let pointer else { return Int(CURL_READFUNC_ABORT) }
        let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
        return context.sendBody(into: UnsafeMutableRawBufferPointer(start: pointer, count: size * count))
    }

    /// CURLOPT_XFERINFOFUNCTION: called at least about once a second, even when idle; a non-zero
    /// return aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
    static let progress: curl_xferinfo_callback = { userData, _, _, _, _ in
        guard let userData else { return 0 }
        let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
        return context.cancel.isSet ? 1 : 0
    }
}
