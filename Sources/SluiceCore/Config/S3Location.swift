import Foundation

/// The S3-compatible bucket that `artifacts.s3` names, which replicas share artifacts through.
///
/// Blobs are the objects `<prefix>sha256/<hex>` of `bucket`, addressed path-style
/// (`<endpoint>/<bucket>/<key>`, which AWS S3, MinIO, Ceph and moto all answer) and signed with
/// SigV4 for `region` by libcurl. The keys come from the environment variables the config names.
public struct S3Location: Sendable, CustomStringConvertible {
    /// `http(s)://host[:port]`, with no path.
    public let endpoint: URL
    public let bucket: String
    /// Empty, or a key prefix ending in `/` (added when it was left out).
    public let prefix: String
    public let region: String
    public let accessKeyID: String
    public let secretAccessKey: Secret

    /// Where the bucket is, without its keys, for logs and messages.
    public var description: String { "\(endpoint.absoluteString)/\(bucket)/\(prefix)" }

    public init(endpoint: URL, bucket: String, prefix: String = "", region: String, accessKeyID: String, secretAccessKey: Secret) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// Why `name` cannot be a bucket, or nil when it can: S3's rules for a bucket name that
    /// path-style URLs can carry (3 to 63 lower-case letters, digits, `.` and `-`, starting and
    /// ending with a letter or digit).
    static func problem(withBucket name: String) -> String? {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        guard (3...63).contains(name.count), allowed, let first = name.first, let last = name.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber, !name.contains("..")
        else {
            return "a bucket name has 3 to 63 lower-case letters, digits, '.' and '-', and starts and ends with a letter or digit"
        }
        return nil
    }

    /// Why `prefix` cannot be a key prefix, or nil when it can: only letters, digits, `-`, `_`,
    /// `.` and `/`, and no empty, `.` or `..` part, so it cannot reach another place in the bucket.
    static func problem(withPrefix prefix: String) -> String? {
        let trimmed = prefix.hasSuffix("/") ? prefix.dropLast() : Substring(prefix)
        let safe = trimmed.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
                }
        }
        return safe ? nil : "expected a key prefix such as sluice/ (letters, digits, '-', '_', '.' and '/', no empty, '.' or '..' part)"
    }

    /// Why `region` cannot be a region, or nil when it can: lower-case letters, digits and `-`
    /// (a `:` would change the provider string libcurl signs with).
    static func problem(withRegion region: String) -> String? {
        let allowed = region.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        return !region.isEmpty && allowed ? nil : "expected a region such as eu-west-1 (lower-case letters, digits and '-')"
    }
}
