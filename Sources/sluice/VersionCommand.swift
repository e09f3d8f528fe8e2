import ArgumentParser
import Curl
import Git
import SluiceCore

/// `sluice version` (and `sluice --version`): Sluice's version and those of the C libraries it
/// runs on, for bug reports.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the versions of Sluice, libgit2 and libcurl.")

    static var text: String {
        "sluice \(SluiceVersion.current)\nlibgit2 \(Libgit2.version)\nlibcurl \(CurlLibrary.version)"
    }

    func run() {
        print(Self.text)
    }
}
