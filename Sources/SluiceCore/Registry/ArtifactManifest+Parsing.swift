extension ArtifactManifest {
    /// The longest line a manifest can start with: mode, hash and a path of at most `PATH_MAX` bytes.
    static let longestLine = 7 + 64 + 1 + 4096 + 1

    /// The hex digests a manifest's lines name, or nil when `text` is not a manifest.
    ///
    /// Strict, so a file artifact is taken for a manifest only if every line of it has the form
    /// `644|755|120000 <64 hex> <path>`; such a file keeps a few extra blobs through garbage
    /// collection, which is harmless, while a real manifest always keeps all of its blobs.
    static func listedDigests(in text: some BidirectionalCollection<UInt8>) -> [String]? {
        guard text.last == 0x0A else { return text.isEmpty ? [] : nil }
        var digests: [String] = []
        for line in text.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            guard let digest = listedDigest(inLine: Array(line)) else { return nil }
            digests.append(digest)
        }
        return digests
    }

    /// Whether `prefix`, the first bytes of a blob, could start a non-empty manifest.
    static func mayStartManifest(_ prefix: some Collection<UInt8>) -> Bool {
        guard let end = prefix.firstIndex(of: 0x0A) else { return false }
        return listedDigest(inLine: Array(prefix[..<end])) != nil
    }

    /// The hex digest on one manifest line (without its line break), or nil when it is not one.
    private static func listedDigest(inLine line: [UInt8]) -> String? {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[2].isEmpty,
            ["644", "755", "120000"].contains(String(decoding: fields[0], as: UTF8.self))
        else { return nil }
        let digest = String(decoding: fields[1], as: UTF8.self)
        return ArtifactStore.isHexDigest(digest) ? digest : nil
    }
}
