import Crypto
import Foundation

extension PipelineSpec {
    /// The digest of the spec as canonical JSON (sorted keys): equal for specs that say the
    /// same thing, however the YAML was laid out. Part of a version's lineage and of the run cache key.
    public var digest: Digest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and durations cannot fail.
        let json = (try? encoder.encode(self)) ?? Data()
        return Digest(SHA256.hash(data: json))
    }
}
