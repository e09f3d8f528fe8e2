import Curl
import Foundation

/// Data inputs, downloaded once and kept by content under `state_dir/data/sha256/<hex>`.
///
/// A pinned input whose bytes are already here is not downloaded again. An unpinned one is
/// downloaded every run, since only its bytes tell whether it changed; the run then records the
/// digest it used. Files are written under a temporary name and renamed, so a reader never sees a
/// partial file, and are never modified afterwards: steps may read them in place.
public struct DataCache: Sendable {
    public let root: URL
    let http: HTTPClient

    public init(stateDirectory: URL, http: HTTPClient) {
        root = stateDirectory.appendingPathComponent("data", isDirectory: true)
        self.http = http
    }

    /// One data input as a run uses it.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var uri: String
        public var sha256: String
        public var file: URL
        /// Whether the bytes were already in the cache.
        public var reused: Bool
    }

    /// The input's bytes in the cache, downloading them unless the pinned digest is there.
    public func fetch(_ input: PipelineSpec.DataInput) async throws(RunError) -> Entry {
        if let pin = input.sha256, FileManager.default.fileExists(atPath: file(for: pin).path) {
            return Entry(name: input.name, uri: input.uri, sha256: pin, file: file(for: pin), reused: true)
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
                "data input '\(input.name)' has sha256 \(digest), but .sluice.yml pins \(pin): "
                    + "update the pin if the new data is intended")
        }
        let destination = file(for: digest)
        if rename(temporary.path, destination.path) != 0 {
            throw RunError(
                .data, "could not store data input '\(input.name)' in the cache: \(String(cString: strerror(errno)))")
        }
        return Entry(name: input.name, uri: input.uri, sha256: digest, file: destination, reused: false)
    }

    private func file(for digest: String) -> URL {
        root.appendingPathComponent("sha256/\(digest)")
    }

    /// Downloads (or copies, for `file://`) the input to `temporary` and returns its sha256.
    private func download(_ input: PipelineSpec.DataInput, to temporary: URL) async throws(RunError) -> String {
        guard let url = URL(string: input.uri), let scheme = url.scheme?.lowercased() else {
            throw RunError(.data, "data input '\(input.name)' has no usable URI; write https://, http:// or file://")
        }
        switch scheme {
        case "http", "https":
            do {
                let request = HTTPRequest(url: input.uri, timeout: .seconds(3600), followRedirects: true)
                return try await http.download(request, to: temporary).sha256
            } catch {
                throw RunError(.data, "could not download data input '\(input.name)': \(error)")
            }
        case "file":
            do {
                try FileManager.default.copyItem(at: URL(fileURLWithPath: url.path), to: temporary)
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
}
