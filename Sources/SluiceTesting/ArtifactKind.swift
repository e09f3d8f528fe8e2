import Foundation
import SluiceCore

/// The two places the artifact store keeps blobs, for the tests that must hold on both: a
/// directory (`artifacts.path`), or a bucket on the process's moto server (`artifacts.s3`) cached
/// in that directory.
public enum ArtifactKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case directory
    case bucket

    public var description: String { rawValue }

    /// A new, empty bucket for this kind; nil for a directory.
    public func makeBucket() throws -> S3Location? {
        switch self {
        case .directory: nil
        case .bucket: try S3Server.shared().makeBucket(prefix: "models/")
        }
    }
}
