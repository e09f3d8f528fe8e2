import Foundation
import Hummingbird
import Logging
import SluiceCore

/// `GET /api/v1/artifacts/sha256/{hex}`: a stored blob's bytes, so a cluster can fetch what a
/// manifest names.
///
/// Blobs are immutable, so the answer carries the digest as its `ETag` and may be cached for a
/// year; `If-None-Match` gets a 304 and a single `Range` a 206. Bytes are streamed from disk,
/// never held in memory, and only after ``ArtifactStore/open(_:)`` has verified them: a blob that
/// does not hash to its name is a logged 500, never served. With `auth` configured it needs the
/// artifact token (`auth.artifact_token_env`, for clusters) or any API token (``Access/artifacts``).
struct ArtifactRoutes {
    static let cacheControl = "public, max-age=31536000, immutable"

    let artifacts: ArtifactStore
    let logger: Logger

    func add(to router: RouterGroup<SluiceRequestContext>) {
        router.get("api/v1/artifacts/sha256/:hex") { request, context -> Response in
            try await serve(request, context: context)
        }
    }

    private func serve(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let digest = Digest(hex: context.parameters.get("hex") ?? "") else {
            return JSONResponse.error(
                .badRequest, "the digest must be 64 lower-case hex digits, as in sha256:<hex>", field: "digest")
        }
        let blob: StoredBlob
        do {
            blob = try await artifacts.open(digest)
        } catch where error.code == .missing {
            return JSONResponse.error(.notFound, "no artifact \(digest) is stored")
        } catch {
            logger.error("refused to serve an artifact", metadata: ["digest": "\(digest)", "error": "\(error)"])
            return JSONResponse.error(.internalServerError, "the stored artifact \(digest) cannot be served")
        }
        var headers: HTTPFields = [
            .eTag: "\"\(blob.digest)\"", .cacheControl: Self.cacheControl, .acceptRanges: "bytes",
        ]
        if let tags = request.headers[.ifNoneMatch], Self.matches(tags, etag: blob.digest.description) {
            return Response(status: .notModified, headers: headers)
        }
        let range: ClosedRange<Int64>
        let status: HTTPResponse.Status
        switch ByteRange.parse(request.headers[.range], size: blob.size) {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(blob.size)"
            return Self.withHeaders(
                JSONResponse.error(.rangeNotSatisfiable, "the artifact has \(blob.size) bytes", field: "Range"), headers)
        case .satisfiable(let requested):
            headers[.contentRange] = "bytes \(requested.lowerBound)-\(requested.upperBound)/\(blob.size)"
            headers[.contentType] = "application/octet-stream"
            (range, status) = (requested, .partialContent)
        case nil:
            headers[.contentType] = "application/octet-stream"
            guard blob.size > 0 else { return Response(status: .ok, headers: headers, body: ResponseBody()) }
            (range, status) = (0...(blob.size - 1), .ok)
        }
        let body = try await FileIO().loadFile(
            path: blob.url.path(percentEncoded: false), range: Int(range.lowerBound)...Int(range.upperBound),
            context: context)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether an `If-None-Match` list names `etag` (quoted, optionally weak) or is `*`.
    private static func matches(_ tags: String, etag: String) -> Bool {
        tags.split(separator: ",").contains { tag in
            var tag = tag.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") {
                tag.removeFirst(2)
            }
            return tag == "*" || tag == "\"\(etag)\""
        }
    }

    private static func withHeaders(_ response: Response, _ headers: HTTPFields) -> Response {
        var response = response
        for field in headers {
            response.headers[field.name] = field.value
        }
        return response
    }
}
