import Curl
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The S3-compatible bucket behind an ``ArtifactStore`` (`artifacts.s3`): every blob is the object
/// `<prefix>sha256/<hex>`, so replicas that share the bucket share every artifact.
///
/// Requests are signed by libcurl's own SigV4 (``AWSSignature``). Every request names its body's
/// SHA-256 in `x-amz-content-sha256`, which is signed, so S3 refuses an upload whose bytes were
/// changed on the way; a download is hashed as it is written and refused unless it hashes to its
/// name. Only S3's REST basics are used (HEAD, GET, PUT, DELETE, ListObjectsV2), which every
/// S3-compatible service answers. A single PUT carries at most 5 GiB, S3's limit for one request.
final class ArtifactBucket: Sendable {
    let location: S3Location
    private let http: HTTPClient
    private let signature: AWSSignature
    /// `<prefix>sha256/`, what every blob's key starts with.
    private let blobPrefix: String

    /// A whole object's transfer; large models take a while.
    private static let transferTimeout = Duration.seconds(3600)

    init(_ location: S3Location, http: HTTPClient) {
        self.location = location
        self.http = http
        blobPrefix = location.prefix + "sha256/"
        signature = AWSSignature(
            region: location.region, service: "s3", accessKeyID: location.accessKeyID,
            secretAccessKey: location.secretAccessKey.revealed)
    }

    /// Whether the bucket holds the blob `digest`.
    func contains(_ digest: Digest) async throws(ArtifactError) -> Bool {
        let response = try await send(request(.head, url: url(digest)))
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw refusal(response, doing: "look for \(digest)")
        }
    }

    /// Stores the file at `file`, whose bytes hash to `digest`, as the blob `digest`.
    func upload(_ file: URL, as digest: Digest) async throws(ArtifactError) {
        var request = request(.put, url: url(digest), payload: digest.hex, timeout: Self.transferTimeout)
        request.bodyFile = file
        let response = try await send(request)
        guard response.isSuccess else { throw refusal(response, doing: "store \(digest)") }
    }

    /// Downloads the blob `digest` to `file`, refusing bytes that do not hash to its name (the
    /// file is then removed). Throws `.missing` when the bucket does not hold it.
    func download(_ digest: Digest, to file: URL) async throws(ArtifactError) {
        let download: Download
        do {
            download = try await http.download(request(.get, url: url(digest), timeout: Self.transferTimeout), to: file)
        } catch let error as CurlError where error.code == .httpStatus {
            guard let status = error.httpStatus, status != 404 else {
                throw ArtifactError(.missing, key(digest), "no artifact \(digest) is stored")
            }
            throw refusal(HTTPResponse(status: status), doing: "fetch \(digest)")
        } catch {
            throw ArtifactError(.bucket, key(digest), "could not fetch \(digest) from the bucket \(location): \(error)")
        }
        guard download.sha256 == digest.hex else {
            try? FileManager.default.removeItem(at: file)
            throw ArtifactError(
                .corrupt, key(digest),
                "the bucket's object \(key(digest)) does not hash to its name; put the artifact again or restore the object")
        }
    }

    /// The first `count` bytes of the blob `digest` (fewer when it is shorter); nil when the
    /// bucket does not hold it.
    func prefix(of digest: Digest, count: Int) async throws(ArtifactError) -> Data? {
        var request = request(.get, url: url(digest))
        request.headers.append(HTTPHeader(name: "Range", value: "bytes=0-\(count - 1)"))
        let response = try await send(request)
        switch response.status {
        case 200, 206: return response.body.prefix(count)
        case 416: return Data()
        case 404: return nil
        default: throw refusal(response, doing: "read \(digest)")
        }
    }

    /// Removes the blob `digest`; removing one that is gone already succeeds, as S3's DELETE does.
    func remove(_ digest: Digest) async throws(ArtifactError) {
        let response = try await send(request(.delete, url: url(digest)))
        guard response.isSuccess || response.status == 404 else { throw refusal(response, doing: "remove \(digest)") }
    }

    /// Every blob in the bucket, with its size and when it was last written, page by page
    /// (ListObjectsV2). Objects under the prefix that are not named like a blob are left out.
    func blobs() async throws(ArtifactError) -> [BucketObject] {
        var objects: [BucketObject] = []
        var continuation: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", blobPrefix)]
            if let continuation { query.insert(("continuation-token", continuation), at: 0) }
            let url = bucketURL + "/?" + query.map { "\(Self.escape($0))=\(Self.escape($1))" }.joined(separator: "&")
            let response = try await send(request(.get, url: url))
            guard response.isSuccess, let page = ListingPage(response.body) else {
                throw refusal(response, doing: "list the blobs")
            }
            objects += page.objects.compactMap { object in
                guard object.key.hasPrefix(blobPrefix), let digest = Digest(hex: String(object.key.dropFirst(blobPrefix.count)))
                else { return nil }
                return BucketObject(digest: digest, size: object.size, modified: object.modified)
            }
            continuation = page.nextContinuationToken
        } while continuation != nil
        return objects
    }

    /// `<prefix>sha256/<hex>`, the blob's key.
    func key(_ digest: Digest) -> String { blobPrefix + digest.hex }

    private var bucketURL: String { location.endpoint.absoluteString + "/" + location.bucket }

    /// The blob's object URL.
    private func url(_ digest: Digest) -> String { bucketURL + "/" + key(digest) }

    /// A signed request whose body hashes to `payload` (hex), in `x-amz-content-sha256`: S3
    /// requires that header on every request, and libcurl 7.88 signs its value as the payload
    /// hash but does not add the header itself.
    private func request(
        _ method: HTTPMethod, url: String, payload: String = emptyPayload, timeout: Duration = .seconds(30)
    ) -> HTTPRequest {
        HTTPRequest(
            method: method, url: url, headers: [HTTPHeader(name: "x-amz-content-sha256", value: payload)],
            signature: signature, timeout: timeout)
    }

    /// The SHA-256 of an empty body, the payload of every request but an upload.
    private static let emptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private func send(_ request: HTTPRequest) async throws(ArtifactError) -> HTTPResponse {
        do {
            return try await http.send(request)
        } catch {
            throw ArtifactError(.bucket, location.description, "the bucket \(location) cannot be reached: \(error)")
        }
    }

    /// The error for an answer the bucket should not have given, with S3's own code and message.
    private func refusal(_ response: HTTPResponse, doing what: String) -> ArtifactError {
        let text = String(decoding: response.body.prefix(4096), as: UTF8.self)
        let code = Self.element("Code", in: text)
        let message = Self.element("Message", in: text)
        let reason = [code, message].compactMap { $0 }.joined(separator: ": ")
        var hint = ""
        if response.status == 403 {
            hint = "; check artifacts.s3's keys, region and the bucket's policy"
        } else if code == "NoSuchBucket" {
            hint = "; create the bucket or correct artifacts.s3.bucket"
        }
        return ArtifactError(
            .bucket, location.description,
            "the bucket \(location) answered \(response.status)\(reason.isEmpty ? "" : " (\(reason))") to \(what)\(hint)")
    }

    /// The text of the first `<name>` element of an S3 error document.
    private static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// `text` percent-encoded except for RFC 3986's unreserved characters, as SigV4's canonical
    /// query string has it (so the query libcurl signs is the one the service recomputes).
    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// A blob as the bucket lists it.
struct BucketObject: Sendable {
    let digest: Digest
    let size: Int64
    let modified: Date
}

/// One page of a ListObjectsV2 answer, read with Foundation's XML parser.
private final class ListingPage: NSObject, XMLParserDelegate {
    struct Object {
        var key = ""
        var size: Int64 = 0
        var modified = Date.distantFuture
    }

    private(set) var objects: [Object] = []
    private(set) var nextContinuationToken: String?
    private var current: Object?
    private var text = ""
    private var truncated = false

    /// Nil when `data` is not a listing.
    init?(_ data: Data) {
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        guard parser.parse() else { return nil }
        if !truncated { nextContinuationToken = nil }
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if name == "Contents" { current = Object() }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "Key": current?.key = text
        case "Size": current?.size = Int64(text) ?? 0
        case "LastModified": current?.modified = Self.date(text) ?? .distantFuture
        case "Contents": current.map { objects.append($0) }; current = nil
        case "IsTruncated": truncated = text == "true"
        case "NextContinuationToken": nextContinuationToken = text
        default: break
        }
    }

    /// S3's timestamps (`2026-12-07T16:00:00.000Z`, some services leave out the fraction); an
    /// unreadable one counts as the far future, so garbage collection never takes it for old.
    private static func date(_ text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
