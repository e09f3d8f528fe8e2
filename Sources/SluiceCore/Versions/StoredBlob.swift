import Foundation

/// A blob in the artifact store whose bytes were checked against its name.
///
/// Handed out only by ``ArtifactStore/open(_:)``, so holding one means the file at `url` hashed to
/// `digest` when it was last verified (see there for how often that is).
public struct StoredBlob: Sendable, Hashable {
    public let digest: Digest
    public let url: URL
    public let size: Int64
}
