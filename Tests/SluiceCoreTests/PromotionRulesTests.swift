import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

/// The promotion rules as pure functions: each case builds what the store would have read and
/// checks the change decided, with no database.
@Suite("Promotion rules, decided without a database")
struct PromotionRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let production = EnvironmentPolicy(name: "production", approvals: 2, approvers: ["alice", "bob"])

    static func promotion(
        _ id: Int64, version: Int, state: Promotion.State = .pendingApproval, required: Int = 2, approvals: [String] = []
    ) -> Promotion {
        Promotion(
            id: Promotion.ID(id), model: "churn", version: ModelVersion.Number(version), environment: "production",
            state: state, requestedBy: "sluice", requiredApprovals: required, approvers: ["alice", "bob"], broughtBy: ["dave"],
            allowSelfApproval: false, approvals: approvals.map { Promotion.Approval(approver: $0, at: now) }, reason: nil,
            deployCommit: nil, rollbackReason: nil, requestedAt: now, updatedAt: now, revision: 3)
    }

    static func version(_ number: Int) -> ModelVersion {
        let run = Run(
            id: Run.ID(Int64(number)), project: "churn", triggerID: nil, repository: "repo", commit: "c\(number)", branch: "main",
            state: .passed, reason: nil, conclusion: Run.Conclusion(model: "churn"), reportProblem: nil, startedAt: now,
            finishedAt: now)
        return ModelVersion(
            model: "churn", number: ModelVersion.Number(number), artifactDigest: Digest.repeating("a"),
            run: run, branch: "main", broughtBy: ["dave"], pullRequest: nil, pullRequestRun: nil, deliveryID: nil,
            sluiceVersion: "test", registeredAt: now)
    }

    @Test("A request supersedes the open promotions of older versions only, and waits with the pin's reason when pinned")
    func request() {
        let older = Self.promotion(1, version: 1)
        let newer = Self.promotion(2, version: 5, state: .approved)
        var state = EnvironmentState(model: "churn", environment: "production", open: [older, newer])
        let change = state.request(Self.version(3), under: Self.production, by: "sluice", at: Self.now)
        #expect(change.updated.map(\.id) == [older.id])
        #expect(change.updated.first?.state == .superseded)
        #expect(change.updated.first?.reason == "superseded by v3")
        #expect(change.updated.first?.revision == 3, "the store writes it only on the revision it was read at")
        #expect(change.created?.state == .pendingApproval)
        #expect(change.created?.requiredApprovals == 2)
        #expect(change.notes.map(\.action) == ["promotion.superseded", "promotion.requested"])
        #expect(change.notes.last?.subject == .created)

        state.open = []
        state.pin = EnvironmentPin(by: "rita", reason: "incident 7")
        let pinned = state.request(Self.version(3), under: .init(name: "production", auto: true), by: "sluice", at: Self.now)
        #expect(pinned.created?.state == .pendingApproval)
        #expect(pinned.created?.reason == "waiting: production is pinned by rita (incident 7)")
        state.pin = nil
        #expect(state.request(Self.version(3), under: .init(name: "production", auto: true), by: "sluice", at: Self.now).created?.state == .approved)
    }

    @Test("The approval that completes a promotion approves it unless the environment is pinned; a refused one changes nothing")
    func approval() throws {
        let waiting = Self.promotion(4, version: 2, approvals: ["alice"])
        var state = EnvironmentState(model: "churn", environment: "production", open: [waiting])
        let change = try state.approval(of: waiting, by: "bob", releaseManagers: [], at: Self.now)
        #expect(change.updated.first?.state == .approved)
        #expect(change.approval?.approval.approver == "bob")
        #expect(change.notes.map(\.action) == ["promotion.approval", "promotion.approved"])

        state.pin = EnvironmentPin(by: "rita", reason: "freeze")
        let frozen = try state.approval(of: waiting, by: "bob", releaseManagers: [], at: Self.now)
        #expect(frozen.updated.first?.state == .pendingApproval)
        #expect(frozen.notes.map(\.action) == ["promotion.approval"])

        #expect(throws: PromotionError.self) { try state.approval(of: waiting, by: "alice", releaseManagers: [], at: Self.now) }
        #expect(throws: PromotionError.self) { try state.approval(of: waiting, by: "dave", releaseManagers: [], at: Self.now) }
        let applied = Self.promotion(5, version: 2, state: .applied)
        #expect(throws: PromotionError.self) { try state.rejection(of: applied, by: "alice", reason: "no", releaseManagers: [], at: Self.now) }
    }

    @Test("Applying moves the environment from what it held, on the approvers' word; twice changes nothing; a pending one cannot be applied")
    func application() throws {
        let approved = Self.promotion(6, version: 3, state: .approved, approvals: ["alice", "bob"])
        let state = EnvironmentState(model: "churn", environment: "production", held: [ModelVersion.Number(2)], current: ModelVersion.Number(2))
        let change = try state.application(of: approved, deployCommit: "abc", at: Self.now)
        #expect(change.updated.first?.state == .applied)
        #expect(change.updated.first?.deployCommit == "abc")
        #expect(change.move?.from == ModelVersion.Number(2))
        #expect(change.move?.to == ModelVersion.Number(3))
        #expect(change.move?.actor == "alice, bob")
        #expect(change.notes.map(\.action) == ["promotion.applied", "environment.moved"])

        var done = approved
        done.state = .applied
        let again = try state.application(of: done, deployCommit: "abc", at: Self.now)
        #expect(again.updated.isEmpty && again.move == nil && again.notes.isEmpty)
        let pending = Self.promotion(7, version: 3)
        let refused = #expect(throws: PromotionError.self) { try state.application(of: pending, deployCommit: "abc", at: Self.now) }
        #expect(refused?.code == .notPending)
        #expect(state.failure(of: pending, reason: "x", at: Self.now).updated.isEmpty, "only an approved promotion fails")
        #expect(state.delay(of: approved, reason: "offline", at: Self.now).updated.first?.reason == "not written yet: offline")
    }

    @Test("A rollback goes only to a version held before, supersedes every open promotion, and pins the environment")
    func rollback() throws {
        let (v1, v2, v3) = (ModelVersion.Number(1), ModelVersion.Number(2), ModelVersion.Number(3))
        let empty = EnvironmentState(model: "churn", environment: "production")
        #expect(throws: PromotionError.self) { try empty.rollback(to: nil, by: "rita", reason: "r", at: Self.now) }

        let open = Self.promotion(8, version: 4)
        let state = EnvironmentState(model: "churn", environment: "production", open: [open], held: [v1, v2, v3], current: v3)
        let current = #expect(throws: PromotionError.self) { try state.rollback(to: v3, by: "rita", reason: "r", at: Self.now) }
        #expect(current?.message == "production already holds churn v3")
        let never = #expect(throws: PromotionError.self) { try state.rollback(to: ModelVersion.Number(9), by: "rita", reason: "r", at: Self.now) }
        #expect(never?.message.contains("(v1, v2)") == true)

        let change = try state.rollback(to: nil, by: "rita", reason: "latency", at: Self.now)
        #expect(change.created?.version == v2)
        #expect(change.created?.state == .approved)
        #expect(change.created?.rollbackReason == "latency")
        #expect(change.updated.map(\.state) == [.superseded])
        #expect(change.pin == .set(EnvironmentPin(by: "rita", reason: "rolled back to v2: latency")))
        #expect(change.notes.map(\.action) == ["promotion.superseded", "promotion.rollback", "environment.pinned"])
    }

    @Test("Unpinning approves the waiting promotions that have their approvals and clears every waiting reason")
    func unpinning() throws {
        let ready = Self.promotion(9, version: 2, required: 1, approvals: ["alice"])
        let short = Self.promotion(10, version: 3, required: 2, approvals: ["alice"])
        var state = EnvironmentState(model: "churn", environment: "production", open: [ready, short])
        let notPinned = #expect(throws: PromotionError.self) { try state.unpinning(by: "rita", at: Self.now) }
        #expect(notPinned?.code == .notFound)
        state.pin = EnvironmentPin(by: "rita", reason: "freeze")
        let change = try state.unpinning(by: "rita", at: Self.now)
        #expect(change.pin == .lift)
        #expect(change.updated.map(\.state) == [.approved, .pendingApproval])
        #expect(change.updated.allSatisfy { $0.reason == nil })
    }
}
