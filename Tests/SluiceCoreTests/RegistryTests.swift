import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Registry: versions with lineage, and environment history")
struct RegistryTests {
    /// A finished run of `model` at `commit`, in `state`.
    static func finishedRun(
        _ store: Store, state: Run.State = .passed, model: String = "churn", commit: String = "abc123", auc: Double = 0.9
    ) async throws -> Run.ID {
        let id = try await store.startRun(project: "churn", repository: "https://github.com/acme/churn.git", commit: commit)
        try await store.finishRun(
            id, state: state, reason: state == .passed ? "gate passed" : "gate failed: auc",
            conclusion: Run.Conclusion(
                model: model, specDigest: Digest.repeating("5"), dataVersions: ["customers": Digest.repeating("a")],
                metrics: Metrics(["auc": auc]), artifactDigest: Digest.repeating("d"),
                artifactPath: "/runs/\(commit)/model.json"))
        return id
    }

    @Test("A passed run becomes the model's next version, with its lineage; registering it again changes nothing", arguments: StoreKind.allCases)
    func registerPassedRuns(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let first = try await store.register(try await Self.finishedRun(store, commit: "c1"), branch: "main")
        let second = try await store.register(try await Self.finishedRun(store, commit: "c2", auc: 0.92), branch: "main")
        #expect(first.number == ModelVersion.Number(1))
        #expect(second.number == ModelVersion.Number(2))
        #expect(second.label == "churn v2")
        #expect(second.run.commit == "c2")
        #expect(second.run.repository == "https://github.com/acme/churn.git")
        #expect(second.run.conclusion.metrics == Metrics(["auc": 0.92]))
        #expect(second.run.conclusion.dataVersions == ["customers": Digest.repeating("a")])
        #expect(second.run.conclusion.specDigest == Digest.repeating("5"))
        #expect(second.sluiceVersion == SluiceVersion.current)
        #expect(try await store.register(second.run.id, branch: "main") == second)
        #expect(try await store.versions(of: "churn").map(\.number.rawValue) == [1, 2])
    }

    @Test("A run whose gate failed is refused, by the registry and by the database itself", arguments: StoreKind.allCases)
    func failedGateIsRefused(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let failed = try await Self.finishedRun(store, state: .gateFailed)
        let error = await #expect(throws: RegistryError.self) { try await store.register(failed, branch: "main") }
        #expect(error?.code == .gateNotPassed)
        #expect(error?.message == "run \(failed.rawValue) ended gate_failed; only a run whose gate passed can be registered")
        let refusal = await #expect(throws: (any Error).self) {
            try await store.execute(
                """
                INSERT INTO model_versions (model, number, run_id, artifact_digest, sluice_version, registered_at)
                VALUES ('churn', 1, ?, 'sha256:x', '0', 0)
                """,
                [failed.rawValue])
        }
        #expect(refusal.map { "\($0)" }?.contains("only a run whose gate passed can be registered") == true)
        #expect(try await store.versions(of: "churn").isEmpty)
    }

    @Test("Which version an environment held at any time is one call, and every move keeps who and why", arguments: StoreKind.allCases)
    func environmentHistory(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let clock = ManualClock()
        let store = try await kind.open(in: scratch, clock: clock)
        let ledger = PromotionLedger(store: store, clock: clock)
        _ = try await store.register(try await Self.finishedRun(store, commit: "c1"), branch: "main")
        _ = try await store.register(try await Self.finishedRun(store, commit: "c2"), branch: "main")
        let t0 = clock.now
        let v1 = ModelVersion.Number(1)
        let v2 = ModelVersion.Number(2)
        _ = try await ledger.moveEnvironment("production", of: "churn", to: v1, actor: "alice", reason: "approved")
        clock.advance(by: .seconds(100))
        _ = try await ledger.moveEnvironment("production", of: "churn", to: v2, actor: "bob", reason: "approved")
        clock.advance(by: .seconds(100))
        let rollback = try await ledger.moveEnvironment(
            "production", of: "churn", to: v1, actor: "carol", reason: "rollback: latency")
        #expect(rollback.from == v2)

        #expect(try await store.version(of: "churn", in: "production", at: t0.addingTimeInterval(-1)) == nil)
        #expect(try await store.version(of: "churn", in: "production", at: t0.addingTimeInterval(50)) == v1)
        #expect(try await store.version(of: "churn", in: "production", at: t0.addingTimeInterval(150)) == v2)
        #expect(try await store.version(of: "churn", in: "production") == v1)
        #expect(try await store.version(of: "churn", in: "staging") == nil)
        let history = try await store.environmentHistory(of: "churn", environment: "production")
        #expect(history.map(\.actor) == ["alice", "bob", "carol"])
        #expect(history.map(\.to) == [v1, v2, v1])

        let missing = await #expect(throws: PromotionError.self) {
            try await ledger.moveEnvironment(
                "production", of: "churn", to: ModelVersion.Number(9), actor: "alice", reason: "typo")
        }
        #expect(missing?.message == "churn has no version v9")
    }
}
