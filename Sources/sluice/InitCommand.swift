import ArgumentParser
import Foundation

/// `sluice init DIR`: a copy of a starter project (`templates/project*/`) to fork from.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a starter model repository in DIR.",
        discussion: """
            Copies templates/project/ (stdlib) or templates/project-sklearn/ (sklearn). The templates are \
            found through $SLUICE_TEMPLATES, then ../share/sluice/templates beside the executable, then a \
            templates/ folder above it (a source checkout). DIR must not exist or be empty.
            """)

    /// The starter projects there are.
    enum Starter: String, ExpressibleByArgument, CaseIterable {
        /// Churn prediction in plain Python: no packages, no network.
        case stdlib
        /// Breast-cancer diagnosis with scikit-learn, in an environment Sluice builds from requirements.txt.
        case sklearn

        var folder: String { self == .stdlib ? "project" : "project-sklearn" }
    }

    @Argument(help: "The directory to create.")
    var directory: String

    @Option(help: "stdlib: churn prediction in plain Python; sklearn: a scikit-learn model with its requirements.txt.")
    var starter: Starter = .stdlib

    func run() throws {
        let destination = URL(fileURLWithPath: directory).standardizedFileURL
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? []
        guard existing.isEmpty else {
            throw ValidationError("\(destination.path) already holds files; name a new or empty directory")
        }
        guard let project = TemplatesFolder.locate()?.appendingPathComponent(starter.folder) else {
            throw ValidationError(
                "could not find Sluice's templates folder; set SLUICE_TEMPLATES to the templates/ folder of a Sluice checkout")
        }
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.createDirectory(
            at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: project, to: destination)
        print("""
            Created \(destination.path) from the starter project. Next:
              cd \(directory)
              git init -q -b main && git add -A && git commit -qm 'Starter project'
              sluice run
            """)
    }
}
