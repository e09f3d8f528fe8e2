import ArgumentParser
import Foundation
import SluiceCore

/// `sluice audit export`: the whole audit log as JSON lines, oldest first.
struct AuditExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the audit log as JSON lines, one entry per line, oldest first.")

    @OptionGroup var config: ConfigOption

    @Option(help: "The file to write (replaced if it exists); standard output when absent.")
    var output: String?

    func run() async throws {
        let store = try await Store.open(config.storeLocation())
        guard let output else {
            _ = try await store.exportAudit(to: .standardOutput)
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: nil) else {
            throw ValidationError("cannot create \(output)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        defer { try? handle.close() }
        let count = try await store.exportAudit(to: handle)
        FileHandle.standardError.write(Data("sluice: wrote \(count) audit entries to \(output)\n".utf8))
    }
}
