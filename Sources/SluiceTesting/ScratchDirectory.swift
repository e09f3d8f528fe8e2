import Foundation

/// A fresh directory under the system's temporary directory, removed when the value goes away.
public final class ScratchDirectory: Sendable {
    public let url: URL

    /// Creates `label-XXXXXXXX` under `parent` (the system's temporary directory by default).
    public init(_ label: String = "sluice-test", in parent: URL = FileManager.default.temporaryDirectory) throws {
        url = parent
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory (not created).
    public func path(_ relative: String) -> URL {
        url.appendingPathComponent(relative)
    }

    /// Writes `contents` to a file inside the directory, creating its folders, and returns it.
    @discardableResult
    public func write(_ contents: String, to relative: String) throws -> URL {
        let file = path(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
