import Foundation

/// Where Sluice's `templates/` folder is: the starter project, the manifest templates.
enum TemplatesFolder {
    /// The templates folder, or nil when none of the known places has one.
    static func locate() -> URL? {
        let marker = "project/.sluice.yml"
        func holdsTemplates(_ folder: URL) -> Bool {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(marker).path)
        }
        if let configured = ProcessInfo.processInfo.environment["SLUICE_TEMPLATES"], !configured.isEmpty {
            let folder = URL(fileURLWithPath: configured)
            return holdsTemplates(folder) ? folder : nil
        }
        guard let executable = Bundle.main.executableURL else { return nil }
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        let installed = folder.appendingPathComponent("../share/sluice/templates").standardizedFileURL
        if holdsTemplates(installed) { return installed }
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("templates")
            if holdsTemplates(candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }
}
