/// The body format a data source posts to `/hooks/data/{name}`.
///
/// Sluice's own signed JSON, an S3 (or MinIO) event notification, or a GCS Pub/Sub push; the
/// kind picks the parser, so a source cannot switch formats without a config change.
public enum DataSourceKind: String, Sendable, Hashable, CaseIterable {
    case sluice
    case s3
    case gcs
}
