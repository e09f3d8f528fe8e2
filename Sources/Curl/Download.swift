/// The result of ``HTTPClient/download(_:to:retry:)``: a file now in place at the destination.
///
/// The SHA-256 is computed while the bytes are streamed to disk, so callers can verify the
/// file without reading it again.
public struct Download: Sendable, Hashable {
    /// The final HTTP status, always 2xx.
    public var status: Int
    /// Bytes written to the destination.
    public var byteCount: Int
    /// SHA-256 of the written bytes, lowercase hex.
    public var sha256: String
}
