import Crypto
import Foundation

extension PipelineSpec {
    /// `sha256:<hex>` of the spec as canonical JSON (sorted keys): equal for specs that say the
    /// same thing, however the YAML was laid out. Part of a version's lineage and of the run cache key.
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and durations cannot fail.
        let json = (try? encoder.encode(self)) ?? Data()
        return "sha256:" + Hex.encode(SHA256.hash(data: json))
    }
}
