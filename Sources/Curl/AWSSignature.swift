/// Credentials for libcurl's own AWS Signature Version 4 (`CURLOPT_AWS_SIGV4`), which signs each
/// attempt as it is sent: the request carries keys, never a signature computed here.
///
/// For S3 (`service` "s3"), libcurl signs the value of an `x-amz-content-sha256` header the
/// request carries as the payload hash, so a caller that knows its body's SHA-256 sends it and
/// the server checks the bytes it receives. libcurl 7.88 adds no such header by itself, and S3
/// requires one, so S3 requests always carry it.
public struct AWSSignature: Sendable, Hashable {
    public var region: String
    public var service: String
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(region: String, service: String, accessKeyID: String, secretAccessKey: String) {
        self.region = region
        self.service = service
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// The `CURLOPT_AWS_SIGV4` value: provider "aws", header prefix "amz", region, service.
    var curlProvider: String { "aws:amz:\(region):\(service)" }
}
