import Crypto
import Curl
import Foundation
import Synchronization

/// The content-addressed store of model artifacts: immutable blobs named by their sha256, under
/// `<directory>/sha256/<hex>`, where the directory is `artifacts.path` (by default
/// `state_dir/artifacts`; a volume every replica mounts shares them). With a bucket
/// (`artifacts.s3`), the bucket holds every blob and the directory is this machine's cache of it:
/// a put is uploaded before it returns, and a blob missing here is fetched, verified, into the
/// cache, so a replica serves any artifact another one stored.
///
/// A file artifact is one blob. A directory artifact is stored like a git tree: its
/// ``ArtifactManifest`` text is a blob under the directory's digest, and every file (and every
/// symlink's target text) it lists is a blob under its own digest, so every stored object is a
/// plain blob verified by its own name, and a client fetches the manifest, then the files it lists.
///
/// Writes copy into `artifacts/tmp/` while hashing, fsync, rename into place and fsync the
/// directory; putting bytes that are already stored changes nothing but the blob's modification
/// time, which tells garbage collection the blob is in use again. Reads are verified: ``open(_:)``
/// hashes a blob the first time this process hands it out and again whenever its inode, size or
/// timestamps change, so a blob that was written over or replaced is never served; silent
/// corruption that keeps every timestamp (bit rot under an unchanged inode) is caught on the
/// next process start. File I/O runs on the blocking pool.
public final class ArtifactStore: Sendable {
    /// How long a temporary file, or a blob written or put again, is safe from garbage collection:
    /// long enough for any run to record the digest it just stored.
    static let gracePeriod: TimeInterval = 3600

    /// `<directory>/sha256`, one file per blob, named by its hex digest.
    public let blobs: URL
    /// `<directory>/tmp`, where blobs are written before they are renamed into place (on the same
    /// volume, so the rename is atomic).
    let temporary: URL
    /// Blobs this process has hashed, with what their files looked like then.
    private let verified = Mutex<[String: BlobIdentity]>([:])
    /// Where every blob is kept when replicas share a bucket; nil: the directory alone.
    private let bucket: ArtifactBucket?

    /// The store in `directory`, or, with `bucket`, the store in that bucket cached in
    /// `directory`; `http` talks to the bucket.
    public init(directory: URL, bucket: S3Location? = nil, http: HTTPClient = HTTPClient()) {
        blobs = directory.appending(path: "sha256", directoryHint: .isDirectory)
        temporary = directory.appending(path: "tmp", directoryHint: .isDirectory)
        self.bucket = bucket.map { ArtifactBucket($0, http: http) }
    }

    /// The store a ``StoreLocation`` names.
    public convenience init(_ location: StoreLocation, http: HTTPClient = HTTPClient()) {
        self.init(directory: location.artifactsDirectory, bucket: location.artifactBucket, http: http)
    }

    /// Stores the file or directory at `url`, which must lie inside `root`, with the same checks
    /// as ``ArtifactDigest/digest(of:within:)``, and returns the same digest.
    ///
    /// A directory's file blobs are installed before its manifest, here and in the bucket, so a
    /// stored manifest always finds its files. A refused directory may leave some file blobs
    /// behind, unreferenced until garbage collection removes them.
    public func put(artifact url: URL, within root: URL) async throws(ArtifactError) -> Digest {
        let digest = try await blocking { () throws(ArtifactError) -> Digest in
            try ArtifactDigest.digest(of: url, within: root, storingIn: self)
        }
        if let bucket {
            try await share(digest, through: bucket)
        }
        return digest
    }

    /// The blob named `digest`, verified against its name; with a bucket, fetched from it into
    /// the cache when this machine does not have it yet, or has a damaged copy.
    ///
    /// Throws `.missing` when no such blob is stored and `.corrupt` when its bytes do not hash to
    /// its name.
    public func open(_ digest: Digest) async throws(ArtifactError) -> StoredBlob {
        do {
            return try await blocking { () throws(ArtifactError) -> StoredBlob in try self.openCached(digest) }
        } catch where error.code == .missing || error.code == .corrupt {
            guard let bucket else { throw error }
            if error.code == .corrupt {
                unlink(blobs.appending(path: digest.hex).path(percentEncoded: false))
            }
            try await fetch(digest, from: bucket)
            return try await blocking { () throws(ArtifactError) -> StoredBlob in try self.openCached(digest) }
        }
    }

    /// Uploads what the bucket lacks of the stored blob `digest`: a directory's files before its
    /// manifest. Each blob is verified here before it goes, so a damaged cache is never uploaded.
    private func share(_ digest: Digest, through bucket: ArtifactBucket) async throws(ArtifactError) {
        let listed = try await blocking { () throws(ArtifactError) -> [Digest] in try self.listedDigests(inBlob: digest.hex) }
        for blob in listed + [digest] where try await !bucket.contains(blob) {
            let stored = try await blocking { () throws(ArtifactError) -> StoredBlob in try self.openCached(blob) }
            try await bucket.upload(stored.url, as: blob)
        }
    }

    /// Downloads the blob `digest` from the bucket into the cache, verified against its name.
    private func fetch(_ digest: Digest, from bucket: ArtifactBucket) async throws(ArtifactError) {
        try await blocking { () throws(ArtifactError) in try self.createDirectories() }
        let download = temporary.appending(path: "blob-" + UUID().uuidString)
        try await bucket.download(digest, to: download)
        try await blocking { () throws(ArtifactError) in
            try self.install(BlobFile(adopting: download.path(percentEncoded: false)), hex: digest.hex)
        }
    }

    /// The blob named `digest` in this machine's directory, verified against its name.
    private func openCached(_ digest: Digest) throws(ArtifactError) -> StoredBlob {
        let hex = digest.hex
        let url = blobs.appending(path: hex, directoryHint: .notDirectory)
        let path = url.path(percentEncoded: false)
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT {
                throw ArtifactError(.missing, path, "no artifact \(digest) is stored")
            }
            throw ArtifactDigest.unreadable(path, "cannot be examined")
        }
        let identity = BlobIdentity(status)
        let blob = StoredBlob(digest: digest, url: url, size: identity.size)
        if verified.withLock({ $0[hex] }) == identity {
            return blob
        }
        guard status.st_mode & S_IFMT == S_IFREG, try ArtifactDigest.sha256(ofFile: url) == digest else {
            verified.withLock { $0[hex] = nil }
            throw ArtifactError(
                .corrupt, path,
                "the stored artifact \(path) does not hash to its name; restore it or put the artifact again")
        }
        verified.withLock { $0[hex] = identity }
        return blob
    }

    /// Removes every blob not in `referenced` nor listed by a referenced directory manifest, here
    /// and in the bucket, and every temporary file; returns how many files and objects went, and
    /// their bytes.
    ///
    /// Blobs and temporary files younger than ``gracePeriod`` (by modification time, at `now`)
    /// stay, so a run that stored an artifact but has not recorded its digest yet keeps it.
    /// With `dryRun`, counts what would go and removes nothing.
    public func collectGarbage(
        keeping referenced: Set<Digest>, dryRun: Bool = false, now: Date
    ) async throws(ArtifactError) -> (removed: Int, bytes: Int64) {
        let keep = try await reachable(from: referenced)
        let cutoff = now.addingTimeInterval(-Self.gracePeriod)
        var (removed, bytes) = try await blocking { () throws(ArtifactError) -> (Int, Int64) in
            try self.sweepCache(keeping: keep, dryRun: dryRun, cutoff: cutoff)
        }
        if let bucket {
            for object in try await bucket.blobs() where !keep.contains(object.digest) && object.modified < cutoff {
                if !dryRun {
                    try await bucket.remove(object.digest)
                }
                removed += 1
                bytes += object.size
            }
        }
        return (removed, bytes)
    }

    /// `referenced` and every blob a referenced directory manifest lists. With a bucket, a
    /// manifest this machine has not cached is fetched first; other blobs are only peeked at.
    private func reachable(from referenced: Set<Digest>) async throws(ArtifactError) -> Set<Digest> {
        if let bucket {
            for digest in referenced where !isCached(digest) {
                if let start = try await bucket.prefix(of: digest, count: ArtifactManifest.longestLine),
                    ArtifactManifest.mayStartManifest(start)
                {
                    _ = try await open(digest)
                }
            }
        }
        return try await blocking { () throws(ArtifactError) -> Set<Digest> in
            var keep = referenced
            for digest in referenced {
                keep.formUnion(try self.listedDigests(inBlob: digest.hex))
            }
            return keep
        }
    }

    /// Removes the cached blobs not in `keep` and the temporary files, older than `cutoff`.
    private func sweepCache(keeping keep: Set<Digest>, dryRun: Bool, cutoff: Date) throws(ArtifactError) -> (Int, Int64) {
        let kept = Set(keep.map(\.hex))
        var removed = 0
        var bytes: Int64 = 0
        for directory in [blobs, temporary] {
            let directoryPath = directory.path(percentEncoded: false)
            for name in try names(in: directoryPath) where directory == temporary || !kept.contains(name) {
                let path = directoryPath + "/" + name
                var status = stat()
                guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
                    Double(BlobIdentity(status).modifiedSeconds) < cutoff.timeIntervalSince1970
                else { continue }
                if !dryRun {
                    guard unlink(path) == 0 else { throw Self.unwritable(path, "cannot be removed") }
                    _ = verified.withLock { $0.removeValue(forKey: name) }
                }
                removed += 1
                bytes += Int64(status.st_size)
            }
        }
        return (removed, bytes)
    }

    /// Whether this machine's directory has a file for the blob `digest`.
    private func isCached(_ digest: Digest) -> Bool {
        access(blobs.appending(path: digest.hex).path(percentEncoded: false), F_OK) == 0
    }

    /// Copies the rest of `descriptor` into the store while hashing it; returns the digest.
    func ingest(_ descriptor: Int32, shownAs path: String, buffer: UnsafeMutableRawBufferPointer) throws(ArtifactError)
        -> SHA256.Digest
    {
        try createDirectories()
        let file = try BlobFile(in: temporary.path(percentEncoded: false))
        let digest = try ArtifactDigest.sha256(of: descriptor, path: path, buffer: buffer, copyingTo: file)
        try install(file, hex: Hex.encode(digest))
        return digest
    }

    /// Stores `bytes`, whose digest the caller has computed, unless they are stored already.
    func ingest(_ bytes: [UInt8], digest: SHA256.Digest) throws(ArtifactError) {
        let hex = Hex.encode(digest)
        guard !touch(hex) else { return }
        try createDirectories()
        let file = try BlobFile(in: temporary.path(percentEncoded: false))
        try bytes.withUnsafeBytes { buffer in Result { () throws(ArtifactError) in try file.write(buffer) } }.get()
        try install(file, hex: hex)
    }

    /// An `unwritable` error with the system's reason; call it right after the failing call.
    static func unwritable(_ path: String, _ what: String, errno code: Int32 = errno) -> ArtifactError {
        ArtifactError(.unwritable, path, "\(path) \(what): \(String(cString: strerror(code)))")
    }

    /// Renames `file` to the blob `hex`, or drops it when that blob is stored already.
    private func install(_ file: BlobFile, hex: String) throws(ArtifactError) {
        guard !touch(hex) else { return }
        try file.install(
            at: blobs.appending(path: hex).path(percentEncoded: false), in: blobs.path(percentEncoded: false))
    }

    /// Whether the blob `hex` is stored; if it is, sets its modification time to now, so garbage
    /// collection sees that it was put again.
    private func touch(_ hex: String) -> Bool {
        let path = blobs.appending(path: hex).path(percentEncoded: false)
        return utimensat(AT_FDCWD, path, nil, AT_SYMLINK_NOFOLLOW) == 0
    }

    private func createDirectories() throws(ArtifactError) {
        for directory in [blobs, temporary] {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ArtifactError(
                    .unwritable, directory.path(percentEncoded: false),
                    "cannot create \(directory.path(percentEncoded: false)): \(error.localizedDescription)")
            }
        }
    }

    /// The digests the blob `hex` lists when it is a directory manifest; empty when it is not
    /// one or is not stored.
    private func listedDigests(inBlob hex: String) throws(ArtifactError) -> [Digest] {
        let url = blobs.appending(path: hex)
        guard let handle = try? FileHandle(forReadingFrom: url) else { return [] }
        defer { try? handle.close() }
        do {
            let prefix = try handle.read(upToCount: ArtifactManifest.longestLine) ?? Data()
            guard ArtifactManifest.mayStartManifest(prefix) else { return [] }
            let text = try Data(contentsOf: url, options: .mappedIfSafe)
            return ArtifactManifest.listedDigests(in: text) ?? []
        } catch {
            throw ArtifactDigest.unreadable(url.path(percentEncoded: false), "cannot be read")
        }
    }

    /// The entry names in `directory`; none when it does not exist yet.
    private func names(in directory: String) throws(ArtifactError) -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ArtifactDigest.unreadable(directory, "cannot be listed")
        }
    }
}
