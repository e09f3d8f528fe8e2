import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("sluice models")
struct ModelsCommandTests {
    @Test("sluice models history answers which version an environment held at a time, and lists every move")
    func historyAtATime() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-models")
        let ledger = fixture.ledger
        for commit in ["c1", "c2"] { _ = try await fixture.register(commit: commit) }
        // The fixture's clock reads 2027-01-15T08:00:00Z.
        _ = try await ledger.moveEnvironment(
            "production", of: "churn", to: ModelVersion.Number(1), actor: "alice", reason: "approved")
        fixture.clock.advance(by: .seconds(3600))
        _ = try await ledger.moveEnvironment(
            "production", of: "churn", to: ModelVersion.Number(2), actor: "bob", reason: "approved")
        let base = ["models", "history", "churn", "--env", "production"]
        let server = try fixture.serve()
        let environment = server.client(token: "tok-victor-8086")

        let (status, at) = try SluiceProcess.run(base + ["--at", "2027-01-15T08:30:00Z"], environment: environment)
        #expect(status == 0, "\(at)")
        #expect(at.contains("churn v1"))
        let (_, later) = try SluiceProcess.run(base + ["--at", "2027-01-15T09:30:00Z"], environment: environment)
        #expect(later.contains("churn v2"))
        let (_, listing) = try SluiceProcess.run(base, environment: environment)
        #expect(listing.contains("alice") && listing.contains("bob"))
        let (bad, message) = try SluiceProcess.run(base + ["--at", "yesterday"], environment: environment)
        #expect(bad != 0)
        #expect(message.contains("not an ISO 8601 time"))
        let (versions, table) = try SluiceProcess.run(["models", "churn"], environment: environment)
        #expect(versions == 0, "\(table)")
        #expect(table.contains("v1") && table.contains("v2"))
        let (anonymous, refusal) = try SluiceProcess.run(["models", "churn"], environment: server.client(token: nil))
        #expect(anonymous == 1)
        #expect(refusal.contains("set SLUICE_TOKEN"))
        #expect(server.stop() == 0)
    }

    @Test("sluice models download fetches a file or a folder artifact by number, latest or environment, verified, never overwriting")
    func download() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-models-download")
        let scratch = fixture.scratch
        try scratch.write("weights-one", to: "run1/output/model.joblib")
        _ = try await fixture.register(commit: "c1", artifact: scratch.path("run1/output/model.joblib"))
        try scratch.write("layer weights", to: "run2/output/model/weights.bin")
        try scratch.write("#!/bin/sh\necho predict\n", to: "run2/output/model/bin/predict")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.path("run2/output/model/bin/predict").path)
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path("run2/output/model/current").path, withDestinationPath: "weights.bin")
        let folder = try await fixture.register(commit: "c2", artifact: scratch.path("run2/output/model"))
        _ = try await fixture.ledger.moveEnvironment("production", of: "churn", to: ModelVersion.Number(1), actor: "alice", reason: "approved")
        let server = try fixture.serve()
        let environment = server.client(token: "tok-victor-8086")
        let downloads = scratch.path("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)

        let (status, said) = try SluiceProcess.run(["models", "download", "churn@production"], environment: environment, in: downloads)
        #expect(status == 0, "\(said)")
        #expect(try String(contentsOf: downloads.appending(path: "model.joblib"), encoding: .utf8) == "weights-one")
        #expect(said.contains("churn v1: model.joblib (11 bytes), verified against sha256:"))

        let (again, refused) = try SluiceProcess.run(["models", "download", "churn@1"], environment: environment, in: downloads)
        #expect(again == 1)
        #expect(refused.contains("model.joblib already exists; remove it or choose another path with --output"))
        #expect(try String(contentsOf: downloads.appending(path: "model.joblib"), encoding: .utf8) == "weights-one")

        let target = downloads.appending(path: "latest-model")
        let (latest, unpacked) = try SluiceProcess.run(
            ["models", "download", "churn@latest", "--output", target.path], environment: environment)
        #expect(latest == 0, "\(unpacked)")
        #expect(unpacked.contains("churn v2: \(target.path) (a folder of 3 entries"))
        #expect(unpacked.contains("verified against \(folder.artifactDigest)"))
        #expect(try String(contentsOf: target.appending(path: "weights.bin"), encoding: .utf8) == "layer weights")
        let mode = try FileManager.default.attributesOfItem(atPath: target.appending(path: "bin/predict").path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.appending(path: "current").path) == "weights.bin")
        #expect(try ArtifactDigest.digest(of: target, within: downloads) == folder.artifactDigest, "the same folder, byte for byte")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: downloads.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no staging folder is left behind")

        let (missing, unknown) = try SluiceProcess.run(["models", "download", "churn@7", "-o", "x"], environment: environment, in: downloads)
        #expect(missing == 1)
        #expect(unknown.contains("churn has no version 7; its versions are v1 to v2"))
        let (noEnvironment, nothingHeld) = try SluiceProcess.run(
            ["models", "download", "churn@staging", "-o", "x"], environment: environment, in: downloads)
        #expect(noEnvironment == 1)
        #expect(nothingHeld.contains("staging is neither a version number nor an environment holding a version of churn"))
        let (malformed, usage) = try SluiceProcess.run(["models", "download", "churn"], environment: environment)
        #expect(malformed == 64)
        #expect(usage.contains("write the version as MODEL@VERSION"))
        #expect(server.stop() == 0)
    }

    @Test("Bytes that do not hash to the version's digest (a proxy, a damaged store) are refused and nothing is written")
    func downloadRefusesOtherBytes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-models-tampered")
        try fixture.scratch.write("the real weights", to: "run/model.bin")
        let version = try await fixture.register(commit: "c1", artifact: fixture.scratch.path("run/model.bin"))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let listing = String(decoding: try encoder.encode([version]), as: UTF8.self)
        let out = fixture.scratch.path("model.bin")
        // What a meddling proxy in front of the server would answer: the real listing, other bytes.
        try await LoopbackServer.run({ router in
            router.get("api/v1/models/churn/versions") { _, _ in listing }
            router.get("api/v1/artifacts/sha256/:hex") { _, _ in "tampered weights" }
        }) { base in
            let (status, said) = try await SluiceProcess.runOffPool(
                ["models", "download", "churn@1", "--output", out.path], environment: ["SLUICE_URL": base])
            #expect(status == 1)
            #expect(said.contains("the server sent bytes for \(version.artifactDigest) that hash to sha256:"))
            #expect(said.contains("nothing was written"))
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.scratch.url.path).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test("A folder whose symlink leads outside it is not unpacked, even from a server that lists it with matching digests")
    func downloadRefusesEscapingSymlink() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-models-escape")
        let weights = Data("weights".utf8)
        let target = Data("../../../../etc/passwd".utf8)
        let hex = { (data: Data) throws -> String in
            let file = fixture.scratch.path("blobs/\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
            return try ArtifactDigest.digest(of: file, within: fixture.scratch.url).hex
        }
        let manifest = Data("120000 \(try hex(target)) leak\n644 \(try hex(weights)) weights.bin\n".utf8)
        let blobs = [try hex(manifest): manifest, try hex(target): target, try hex(weights): weights]
        var version = try await fixture.register(commit: "c1")
        version.artifactDigest = try #require(Digest(hex: try hex(manifest)))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let listing = String(decoding: try encoder.encode([version]), as: UTF8.self)
        let out = fixture.scratch.path("model")
        try await LoopbackServer.run({ router in
            router.get("api/v1/models/churn/versions") { _, _ in listing }
            router.get("api/v1/artifacts/sha256/:hex") { _, context in
                String(decoding: blobs[context.parameters.get("hex") ?? ""] ?? Data(), as: UTF8.self)
            }
        }) { base in
            let (status, said) = try await SluiceProcess.runOffPool(
                ["models", "download", "churn@1", "--output", out.path], environment: ["SLUICE_URL": base])
            #expect(status == 1)
            #expect(said.contains("the artifact's symlink leak leads to ../../../../etc/passwd, which is not inside the artifact"))
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.scratch.url.path).allSatisfy { !$0.hasPrefix(".") })
    }
}
