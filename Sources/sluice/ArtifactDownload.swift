import ArgumentParser
import Curl
import Foundation
import SluiceCore

/// Fetches an artifact from the server's artifact route and puts it at a destination only once
/// every byte of it hashed to the digest that names it, as `dvc get` and `mlflow artifacts
/// download` do.
///
/// A file artifact is one blob. A folder artifact's blob is its manifest (``ArtifactListing``):
/// each listed file and symlink text is fetched and checked against its own digest, in a hidden
/// folder beside the destination that is renamed into place at the end; a symlink that leads
/// outside the folder is refused, as the server refused it when the run stored it. The
/// destination must not exist yet, so nothing is overwritten.
struct ArtifactDownload {
    /// Manifests are small (one line per file); a larger blob is a file artifact.
    static let largestManifest = 64 << 20

    let connection: ServerConnection
    let command: String

    /// Fetches `digest` to `destination`; returns what was written, for people.
    func fetch(_ digest: Digest, to destination: URL) async throws -> String {
        let folder = destination.deletingLastPathComponent()
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw connection.fail(command, "\(destination.path) already exists; remove it or choose another path with --output")
        }
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw connection.fail(command, "the folder \(folder.path) does not exist; create it first")
        }
        let staging = folder.appending(path: ".\(destination.lastPathComponent).sluice-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }
        let blob = try await verified(digest, to: staging)
        if let listing = try listing(at: staging, size: blob.byteCount) {
            let tree = folder.appending(path: ".\(destination.lastPathComponent).sluice-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: tree) }
            let bytes = try await unpack(listing, into: tree)
            try place(tree, at: destination)
            return "a folder of \(listing.entries.count) entries, \(Self.size(bytes)), each verified by its digest"
        }
        try place(staging, at: destination)
        return Self.size(blob.byteCount)
    }

    /// Downloads the blob `digest` to `url` and checks its SHA-256 against the name.
    private func verified(_ digest: Digest, to url: URL) async throws -> Curl.Download {
        let download = try await connection.download("/api/v1/artifacts/sha256/\(digest.hex)", to: url, command: command)
        guard Digest(hex: download.sha256) == digest else {
            try? FileManager.default.removeItem(at: url)
            throw connection.fail(
                command,
                "the server sent bytes for \(digest) that hash to sha256:\(download.sha256); nothing was written "
                    + "(a proxy or a damaged store?)")
        }
        return download
    }

    /// The folder listing the blob at `url` holds, or nil when it is a file artifact.
    private func listing(at url: URL, size: Int) throws -> ArtifactListing? {
        guard size <= Self.largestManifest else { return nil }
        do {
            return try ArtifactListing(manifest: try Data(contentsOf: url))
        } catch let error as ArtifactError {
            throw connection.fail(command, error.message)
        }
    }

    /// Writes every entry of `listing` below `root`: the files first, verified and given their
    /// mode, then the symlinks, each checked to resolve inside `root`. Returns the bytes written.
    private func unpack(_ listing: ArtifactListing, into root: URL) async throws -> Int {
        let manager = FileManager.default
        try manager.createDirectory(at: root, withIntermediateDirectories: false)
        var bytes = 0
        var links: [(path: String, target: String)] = []
        for entry in listing.entries {
            let url = root.appending(path: entry.path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let download = try await verified(entry.digest, to: url)
            switch entry.kind {
            case .file(let executable):
                bytes += download.byteCount
                try manager.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
            case .symlink:
                links.append((entry.path, String(decoding: try Data(contentsOf: url), as: UTF8.self)))
                try manager.removeItem(at: url)
            }
        }
        for link in links {
            try manager.createSymbolicLink(atPath: root.appending(path: link.path).path, withDestinationPath: link.target)
        }
        let rootPath = Self.realPath(root.path) ?? root.path
        for link in links {
            guard let resolved = Self.realPath(root.appending(path: link.path).path), resolved.hasPrefix(rootPath + "/") else {
                throw connection.fail(
                    command,
                    "the artifact's symlink \(link.path) leads to \(link.target), which is not inside the artifact; it was not unpacked")
            }
        }
        return bytes
    }

    /// Renames `staged` to `destination`; Foundation's move refuses to replace anything that
    /// appeared there meanwhile.
    private func place(_ staged: URL, at destination: URL) throws {
        do {
            try FileManager.default.moveItem(at: staged, to: destination)
        } catch {
            throw connection.fail(command, "could not put the artifact at \(destination.path): \(error.localizedDescription)")
        }
    }

    private static func size(_ bytes: Int) -> String {
        Int64(bytes).formatted(.byteCount(style: .file))
    }

    /// Where `path` leads with every symlink followed; nil when it leads nowhere.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
