import ArgumentParser
import Curl
import Foundation
import SluiceCore

/// `sluice gc`: removes stored artifacts nothing refers to any more.
///
/// What is referenced is every artifact digest a run recorded (and, for a directory, the files
/// its manifest lists), which includes every registered model version's. Safe to run beside a
/// live server: blobs written within the last hour are kept.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove stored artifacts that no run references, and stale temporary files.")

    @OptionGroup var config: ConfigOption

    @Flag(help: "Count what would be removed; remove nothing.")
    var dryRun = false

    func run() async throws {
        let location = try config.storeLocation()
        let referenced = try await Store.open(location).referencedArtifactDigests()
        let artifacts = ArtifactStore(location, http: HTTPClient(userAgent: "sluice/\(SluiceVersion.current)"))
        let (removed, bytes) = try await artifacts.collectGarbage(keeping: referenced, dryRun: dryRun, now: SystemClock().now)
        let size = ByteCountFormatter.string(fromByteCount: bytes, countStyle: .binary)
        print("\(dryRun ? "Would remove" : "Removed") \(removed) file\(removed == 1 ? "" : "s") (\(bytes) bytes, \(size)); "
            + "kept what \(referenced.count) referenced artifact\(referenced.count == 1 ? "" : "s") need.")
    }
}
