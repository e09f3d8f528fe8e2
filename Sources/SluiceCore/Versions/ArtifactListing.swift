import Foundation

/// A directory artifact's manifest read back: the files and symlinks a client recreates, each
/// with the digest of the blob that holds its bytes (or its link text).
///
/// Reading is strict twice over. Every line must have the manifest's form (`644|755|120000
/// <64 hex> <path>`), or the blob is not a manifest at all and is a file artifact. And every
/// path must be safe to create below a destination folder: relative, valid UTF-8, with no empty,
/// `.` or `..` component, listed once, and never below another entry (so nothing is written
/// through a symlink). Sluice only writes manifests that pass; a forged one is refused whole.
/// Where a symlink leads is for the client to check once it exists, as the server did.
public struct ArtifactListing: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            case file(executable: Bool)
            case symlink
        }

        public let kind: Kind
        /// The address of the file's bytes, or of the symlink's target text.
        public let digest: Digest
        /// The path inside the artifact, `/`-separated.
        public let path: String
    }

    /// In manifest order (sorted by path, byte by byte).
    public let entries: [Entry]

    /// The listing `text` holds; nil when it is not a manifest (so it is a file artifact), and
    /// throws ``ArtifactError/Code/unsupportedName`` when it is one that names an unsafe path.
    public init?(manifest text: some BidirectionalCollection<UInt8>) throws(ArtifactError) {
        guard !text.isEmpty, text.last == 0x0A else { return nil }
        var entries: [Entry] = []
        for line in text.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            guard let fields = Self.fields(ofLine: Array(line)) else { return nil }
            guard let path = String(validating: fields.path, as: UTF8.self), Self.isSafe(path) else {
                let shown = String(decoding: fields.path, as: UTF8.self)
                throw ArtifactError(
                    .unsupportedName, shown,
                    "the manifest lists '\(shown)', which is not a plain relative path; it was not unpacked")
            }
            entries.append(Entry(kind: fields.kind, digest: fields.digest, path: path))
        }
        let paths = Set(entries.map(\.path))
        for entry in entries {
            let components = entry.path.split(separator: "/")
            let folders = (1..<components.count).map { components[..<$0].joined(separator: "/") }
            guard paths.count == entries.count, !folders.contains(where: paths.contains) else {
                throw ArtifactError(
                    .unsupportedName, entry.path,
                    "the manifest lists '\(entry.path)' twice or below another entry; it was not unpacked")
            }
        }
        self.entries = entries
    }

    /// The mode, digest and path bytes of one manifest line (without its line break), or nil
    /// when it is not one.
    static func fields(ofLine line: [UInt8]) -> (kind: Entry.Kind, digest: Digest, path: ArraySlice<UInt8>)? {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[2].isEmpty else { return nil }
        let kind: Entry.Kind
        switch String(decoding: fields[0], as: UTF8.self) {
        case "644": kind = .file(executable: false)
        case "755": kind = .file(executable: true)
        case "120000": kind = .symlink
        default: return nil
        }
        return Digest(hex: String(decoding: fields[1], as: UTF8.self)).map { (kind, $0, fields[2]) }
    }

    private static func isSafe(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.contains("\0")
            && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !["", ".", ".."].contains($0) }
    }
}
