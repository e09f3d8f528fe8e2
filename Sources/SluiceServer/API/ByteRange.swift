import Foundation

/// One `Range: bytes=...` request against a body of known size: `a-b`, `a-` or `-n` (the last n bytes).
///
/// Only a single range is honoured; a header with several, or one that does not parse, is ignored
/// and the whole body served, as RFC 9110 allows. Parsing yields `nil` for "serve everything",
/// `.satisfiable` with the inclusive byte range, or `.unsatisfiable` for a 416.
///
/// Why not Hummingbird's `FileMiddleware`, which the web UI's static files use: it serves a file by
/// its URL path with a weak ETag made of the modification time and size, and keeps its range
/// parser private. An artifact is named by its digest, must be verified before its first byte is
/// sent, and its digest is its strong ETag, so ``ArtifactRoutes`` answers ranges itself.
enum ByteRange: Equatable {
    case satisfiable(ClosedRange<Int64>)
    case unsatisfiable

    /// The range `header` asks for in a body of `size` bytes; nil when the whole body should be sent.
    static func parse(_ header: String?, size: Int64) -> ByteRange? {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        guard first.allSatisfy(\.isNumber), last.allSatisfy(\.isNumber), !(first.isEmpty && last.isEmpty) else {
            return nil
        }
        if first.isEmpty {
            guard let suffix = Int64(last) else { return nil }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int64(first) else { return nil }
        guard start < size else { return .unsatisfiable }
        guard !last.isEmpty else { return .satisfiable(start...(size - 1)) }
        guard let end = Int64(last), end >= start else { return nil }
        return .satisfiable(start...min(end, size - 1))
    }
}
