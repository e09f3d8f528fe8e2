extension ArtifactManifest {
    /// The longest line a manifest can start with: mode, hash and a path of at most `PATH_MAX` bytes.
    static let longestLine = 7 + 64 + 1 + 4096 + 1

    /// The hex digests a manifest's lines name, or nil when `text` is not a manifest.
    ///
    /// Strict, so a file artifact is taken for a manifest only if every line of it has the form
    /// `644|755|120000 <64 hex> <path>`; such a file keeps a few extra blobs through garbage
    /// collection, which is harmless, while a real manifest always keeps all of its blobs.
    static func listedDigests(in text: some BidirectionalCollection<UInt8>) -> [Digest]? {
        guard text.last == 0x0A else { return text.isEmpty ? [] : nil }
        var digests: [Digest] = []
        for line in text.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            guard let fields = ArtifactListing.fields(ofLine: Array(line)) else { return nil }
            digests.append(fields.digest)
        }
        return digests
    }

    /// Whether `prefix`, the first bytes of a blob, could start a non-empty manifest.
    static func mayStartManifest(_ prefix: some Collection<UInt8>) -> Bool {
        guard let end = prefix.firstIndex(of: 0x0A) else { return false }
        return ArtifactListing.fields(ofLine: Array(prefix[..<end])) != nil
    }
}
