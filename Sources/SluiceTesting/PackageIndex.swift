import Foundation
import Hummingbird

/// A Python package index (PEP 503 "simple" pages) on loopback, serving the wheels of one folder:
/// how the tests build a real scikit-learn environment while reaching no further than 127.0.0.1.
///
/// `make test` downloads the scikit-learn starter's wheels from PyPI into `.build/wheels` first;
/// pip reaches the index through `PIP_INDEX_URL`, as behind an operator's mirror.
public enum PackageIndex {
    /// The wheels `make test` downloads, in the package's `.build`.
    public static let wheels = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/wheels").standardizedFileURL

    /// Serves `folder` for the duration of `body`, which gets the index URL (`http://127.0.0.1:PORT/simple`).
    public static func serve<T: Sendable>(
        _ folder: URL = wheels, _ body: (_ indexURL: String) async throws -> T
    ) async throws -> T {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".whl") }
        return try await LoopbackServer.run({ router in
            router.get("/simple/:project/") { _, context -> Response in
                let project = normalized(context.parameters.get("project") ?? "")
                let links = files.filter { normalized(String($0.prefix { $0 != "-" })) == project }
                    .map { "<a href=\"/files/\($0)\">\($0)</a><br>" }
                guard !links.isEmpty else { return Response(status: .notFound) }
                return Response(
                    status: .ok, headers: [.contentType: "text/html"],
                    body: .init(byteBuffer: ByteBuffer(string: "<!DOCTYPE html><html><body>\(links.joined())</body></html>")))
            }
            router.get("/files/:name") { _, context -> Response in
                guard let name = context.parameters.get("name"), files.contains(name),
                    let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
                else { return Response(status: .notFound) }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }) { baseURL in
            try await body(baseURL + "/simple")
        }
    }

    /// A project name as PEP 503 compares it: lower case, runs of `-`, `_` and `.` as one `-`.
    static func normalized(_ name: String) -> String {
        name.lowercased().replacing(/[-_.]+/, with: "-")
    }
}
