import Curl
import Foundation

/// Data inputs, downloaded once and kept by content under `state_dir/data/sha256/<hex>`.
///
/// A pinned input whose bytes are already here is not downloaded again. An unpinned one is
/// downloaded every run, since only its bytes tell whether it changed; the run then records the
/// digest it used. Files are written under a temporary name and renamed, so a reader never sees a
/// partial file, and are never modified afterwards: steps may read them in place (read-only in
/// the sandbox).
///
/// The server fetches with its own rights, before any step runs, so what a spec may ask for is
/// bounded: `file://` inputs only below the operator's `data_folders`, and for untrusted runs (a
/// fork's pull request) no `file://` input at all and `http(s)://` only with a `sha256` pin, so a
/// fork cannot make the server fetch what it could not fetch itself.
public struct DataCache: Sendable {
    public let root: URL
    let http: HTTPClient
    /// The folders `file://` inputs must lie below (symlinks resolved); nil: anywhere, for
    /// `sluice run` on a developer's own machine.
    let fileFolders: [URL]?

    public init(stateDirectory: URL, http: HTTPClient, fileFolders: [URL]? = nil) {
        root = stateDirectory.appendingPathComponent("data", isDirectory: true)
        self.http = http
        self.fileFolders = fileFolders
    }

    /// One data input as a run uses it.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var uri: String
        public var digest: Digest
        public var file: URL
        /// Whether the bytes were already in the cache.
        public var reused: Bool
    }

    /// The input's bytes in the cache, downloading them unless the pinned digest is there.
    public func fetch(_ input: PipelineSpec.DataInput, trusted: Bool = true) async throws(RunError) -> Entry {
        try admit(input, trusted: trusted)
        if let pin = input.sha256, FileManager.default.fileExists(atPath: file(for: pin).path) {
            return Entry(name: input.name, uri: input.uri, digest: pin, file: file(for: pin), reused: true)
        }
        let incoming = root.appendingPathComponent("incoming", isDirectory: true)
        let temporary = incoming.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("sha256", isDirectory: true), withIntermediateDirectories: true)
        } catch {
            throw RunError(.data, "could not create the data cache in \(root.path): \(error.localizedDescription)")
        }
        let digest = try await download(input, to: temporary)
        if let pin = input.sha256, pin != digest {
            throw RunError(
                .data,
                "data input '\(input.name)' has sha256 \(digest.hex), but .sluice.yml pins \(pin.hex): "
                    + "update the pin if the new data is intended")
        }
        let destination = file(for: digest)
        if rename(temporary.path, destination.path) != 0 {
            throw RunError(
                .data, "could not store data input '\(input.name)' in the cache: \(String(cString: strerror(errno)))")
        }
        return Entry(name: input.name, uri: input.uri, digest: digest, file: destination, reused: false)
    }

    /// Refuses what an untrusted run may not ask the server to fetch.
    private func admit(_ input: PipelineSpec.DataInput, trusted: Bool) throws(RunError) {
        guard !trusted else { return }
        let scheme = URL(string: input.uri)?.scheme?.lowercased()
        if scheme == "file" {
            throw RunError(
                .data,
                "data input '\(input.name)' is a file:// URI, which untrusted code (a fork's pull request) may not read; "
                    + "publish the data over https:// with a sha256 pin")
        }
        if input.sha256 == nil {
            throw RunError(
                .data,
                "data input '\(input.name)' has no sha256 pin; untrusted code (a fork's pull request) reads https:// data "
                    + "only when .sluice.yml pins its digest")
        }
    }

    private func file(for digest: Digest) -> URL {
        root.appendingPathComponent("sha256/\(digest.hex)")
    }

    /// Downloads (or copies, for `file://`) the input to `temporary` and returns its digest.
    private func download(_ input: PipelineSpec.DataInput, to temporary: URL) async throws(RunError) -> Digest {
        guard let url = URL(string: input.uri), let scheme = url.scheme?.lowercased() else {
            throw RunError(.data, "data input '\(input.name)' has no usable URI; write https://, http:// or file://")
        }
        switch scheme {
        case "http", "https":
            let request = HTTPRequest(url: input.uri, timeout: .seconds(3600), followRedirects: true)
            let download: Download
            do {
                download = try await http.download(request, to: temporary)
            } catch {
                throw RunError(.data, "could not download data input '\(input.name)': \(error)")
            }
            guard let digest = Digest(hex: download.sha256) else {
                throw RunError(.data, "the download of data input '\(input.name)' reported no usable sha256")
            }
            return digest
        case "file":
            let source = try permittedFile(url.path, input: input)
            do {
                try FileManager.default.copyItem(at: URL(fileURLWithPath: source), to: temporary)
            } catch {
                throw RunError(.data, "could not read data input '\(input.name)' at \(url.path): no such readable file")
            }
            do {
                return try ArtifactDigest.sha256(ofFile: temporary)
            } catch {
                throw RunError(.data, "could not hash data input '\(input.name)': \(error.message)")
            }
        default:
            throw RunError(
                .data, "data input '\(input.name)' uses \(scheme)://, which Sluice cannot fetch; use https://, http:// or file://")
        }
    }

    /// The real path of a `file://` input, when it is a regular file below one of the allowed
    /// folders (both with every symlink resolved, so a link cannot lead out of them).
    private func permittedFile(_ path: String, input: PipelineSpec.DataInput) throws(RunError) -> String {
        guard let real = Self.realPath(path) else {
            throw RunError(.data, "could not read data input '\(input.name)' at \(path): no such readable file")
        }
        guard let fileFolders else { return real }
        let allowed = fileFolders.compactMap { Self.realPath($0.path) }
        guard allowed.contains(where: { real.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            let folders = fileFolders.isEmpty ? "none are listed" : fileFolders.map(\.path).joined(separator: ", ")
            throw RunError(
                .data,
                "data input '\(input.name)' reads \(path), which is outside the folders the server allows file:// data from "
                    + "(data_folders in the server config: \(folders))")
        }
        var status = stat()
        guard stat(real, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw RunError(.data, "data input '\(input.name)' at \(path) is not a regular file")
        }
        return real
    }

    /// `path` with every symlink resolved; nil when it does not exist.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
