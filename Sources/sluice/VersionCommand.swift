import ArgumentParser
import Curl
import Git
import SluiceCore

/// `sluice version`: Sluice's version and those of the C libraries it runs on, for bug reports.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the versions of Sluice, libgit2 and libcurl.")

    func run() {
        print("sluice \(SluiceVersion.current)")
        print("libgit2 \(Libgit2.version)")
        print("libcurl \(CurlLibrary.version)")
    }
}
