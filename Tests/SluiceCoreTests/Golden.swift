import Foundation
import Testing

/// Golden files under `Tests/SluiceCoreTests/Golden/`.
enum Golden {
    /// Compares `text` with `Golden/<name>`; with `SLUICE_UPDATE_GOLDEN=1` rewrites the file instead
    /// and records an issue, so a regeneration is never mistaken for a pass.
    static func expect(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SLUICE_UPDATE_GOLDEN"] == "1" {
            do {
                try Data(text.utf8).write(to: url)
                Issue.record("regenerated Golden/\(name); review the diff", sourceLocation: sourceLocation)
            } catch {
                Issue.record("could not write Golden/\(name): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        let golden = try? String(contentsOf: url, encoding: .utf8)
        #expect(
            text == golden, "differs from Golden/\(name); run with SLUICE_UPDATE_GOLDEN=1 to regenerate",
            sourceLocation: sourceLocation)
    }
}
