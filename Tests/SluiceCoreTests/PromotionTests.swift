import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Promotions: approvals, refusals and supersession")
struct PromotionTests {
    /// A store with `count` registered versions of churn, each brought by `broughtBy`.
    static func versions(
        _ count: Int, in scratch: ScratchDirectory, on kind: StoreKind, broughtBy: [String] = ["dave"]
    ) async throws -> (Store, PromotionLedger, [ModelVersion]) {
        let store = try await kind.open(in: scratch)
        var versions: [ModelVersion] = []
        for index in 1...count {
            let run = try await RegistryTests.finishedRun(store, commit: "c\(index)")
            versions.append(
                try await store.register(run, branch: "main", provenance: ModelVersion.Provenance(broughtBy: broughtBy)))
        }
        return (store, PromotionLedger(store: store, clock: SystemClock()), versions)
    }

    static let production = EnvironmentPolicy(name: "production", approvals: 2, approvers: ["alice", "bob", "carol"])

    @Test("An auto environment's promotion is approved at once; a protected one waits for distinct approvers", arguments: StoreKind.allCases)
    func approvals(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let (store, ledger, versions) = try await Self.versions(1, in: scratch, on: kind)
        let staging = try await ledger.requestPromotion(
            of: versions[0], to: .init(name: "staging", auto: true), requestedBy: "sluice")
        #expect(staging.state == .approved)

        let pending = try await ledger.requestPromotion(
            of: versions[0], to: Self.production, requestedBy: "sluice")
        #expect(pending.state == .pendingApproval)
        #expect(try await ledger.approve(pending.id, as: "alice", releaseManagers: []).state == .pendingApproval)
        let twice = await #expect(throws: PromotionError.self) { try await ledger.approve(pending.id, as: "alice", releaseManagers: []) }
        #expect(twice?.code == .alreadyApproved)
        let approved = try await ledger.approve(pending.id, as: "bob", releaseManagers: [])
        #expect(approved.state == .approved)
        #expect(approved.approvals.map(\.approver) == ["alice", "bob"])
        let late = await #expect(throws: PromotionError.self) { try await ledger.approve(pending.id, as: "carol", releaseManagers: []) }
        #expect(late?.message == "\(pending.id) is approved, not waiting for approval")

        let actions = try await store.auditEntries(limit: 100).map(\.action).filter { !$0.hasPrefix("run.") && !$0.hasPrefix("gate.") }
        #expect(actions == [
            "version.registered", "promotion.requested", "promotion.requested", "promotion.approval", "promotion.approval",
            "promotion.approved",
        ])
        guard case .intact = try await store.verifyAudit() else {
            Issue.record("the audit chain should verify")
            return
        }
    }

    @Test("A non-approver and whoever brought the version are refused, saying why; allow_self_approval lets them", arguments: StoreKind.allCases)
    func refusals(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let (_, ledger, versions) = try await Self.versions(1, in: scratch, on: kind, broughtBy: ["Alice", "dana"])
        let promotion = try await ledger.requestPromotion(of: versions[0], to: Self.production, requestedBy: "sluice")
        #expect(promotion.broughtBy == ["Alice", "dana"])
        let stranger = await #expect(throws: PromotionError.self) {
            try await ledger.approve(promotion.id, as: "mallory", releaseManagers: ["mallory"])
        }
        #expect(stranger?.message
            == "mallory is not an approver of production and cannot approve \(promotion.id) (approvers: alice, bob, carol)")
        // Logins compare as forges do, without case: "Alice" pushed it, so "alice" may not approve it.
        let pusher = await #expect(throws: PromotionError.self) { try await ledger.approve(promotion.id, as: "alice", releaseManagers: []) }
        #expect(pusher?.code == .selfApproval)
        #expect(pusher?.message.contains("alice brought churn v1 (it was pushed or authored by Alice, dana)") == true)

        var lenient = Self.production
        lenient.allowSelfApproval = true
        let allowed = try await ledger.requestPromotion(of: versions[0], to: lenient, requestedBy: "sluice")
        #expect(try await ledger.approve(allowed.id, as: "alice", releaseManagers: []).approvals.count == 1)
    }

    @Test("An environment without approvers is decided by release managers only, and says who they are", arguments: StoreKind.allCases)
    func releaseManagersDecide(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let (_, ledger, versions) = try await Self.versions(1, in: scratch, on: kind)
        let promotion = try await ledger.requestPromotion(
            of: versions[0], to: EnvironmentPolicy(name: "production", approvals: 1), requestedBy: "sluice")
        let engineer = await #expect(throws: PromotionError.self) {
            try await ledger.approve(promotion.id, as: "erin", releaseManagers: ["rita"])
        }
        #expect(engineer?.message.contains("it lists no approvers, so release managers decide: rita") == true)
        #expect(try await ledger.approve(promotion.id, as: "Rita", releaseManagers: ["rita"]).state == .approved)
    }

    @Test("A rejection ends the promotion with its reason; a newer version supersedes an older pending one", arguments: StoreKind.allCases)
    func rejectionAndSupersession(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let (store, ledger, versions) = try await Self.versions(3, in: scratch, on: kind)
        let first = try await ledger.requestPromotion(of: versions[0], to: Self.production, requestedBy: "sluice")
        let rejected = try await ledger.reject(first.id, as: "carol", reason: "latency regressed", releaseManagers: [])
        #expect(rejected.state == .rejected)
        #expect(rejected.reason == "rejected by carol: latency regressed")

        let second = try await ledger.requestPromotion(of: versions[1], to: Self.production, requestedBy: "sluice")
        let third = try await ledger.requestPromotion(of: versions[2], to: Self.production, requestedBy: "sluice")
        let superseded = try await store.promotion(second.id)
        #expect(superseded.state == .superseded)
        #expect(superseded.reason == "superseded by v3")
        #expect(try await store.promotions().map(\.id) == [third.id])
    }

    @Test("A pinned environment's promotions wait and say why; unpinning approves those that have their approvals", arguments: StoreKind.allCases)
    func pinFreezesPromotion(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let (store, ledger, versions) = try await Self.versions(1, in: scratch, on: kind)
        try await ledger.pin("churn", environment: "staging", by: "alice", reason: "incident 42")
        let automatic = try await ledger.requestPromotion(
            of: versions[0], to: .init(name: "staging", auto: true), requestedBy: "sluice")
        #expect(automatic.state == .pendingApproval)
        #expect(automatic.reason == "waiting: staging is pinned by alice (incident 42)")

        try await ledger.pin("churn", environment: "production", by: "alice", reason: "freeze")
        let protected = try await ledger.requestPromotion(
            of: versions[0], to: EnvironmentPolicy(name: "production", approvals: 1, approvers: ["bob"]), requestedBy: "sluice")
        #expect(try await ledger.approve(protected.id, as: "bob", releaseManagers: []).state == .pendingApproval)

        try await ledger.unpin("churn", environment: "staging", by: "alice")
        try await ledger.unpin("churn", environment: "production", by: "alice")
        #expect(try await store.promotion(automatic.id).state == .approved)
        #expect(try await store.promotion(protected.id).state == .approved)
        let notPinned = await #expect(throws: PromotionError.self) {
            try await ledger.unpin("churn", environment: "staging", by: "alice")
        }
        #expect(notPinned?.message == "staging is not pinned for churn")
    }

    @Test("A decision made on a promotion that changed since it was read is refused whole: nothing of it is written", arguments: StoreKind.allCases)
    func staleDecisionIsRefused(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let (store, ledger, versions) = try await Self.versions(1, in: scratch, on: kind)
        let stale = try await ledger.requestPromotion(of: versions[0], to: Self.production, requestedBy: "sluice")
        _ = try await ledger.approve(stale.id, as: "alice", releaseManagers: [])
        let entries = try await store.auditEntries(limit: 100).count

        let refused = await #expect(throws: PromotionError.self) {
            try await store.decide(about: stale.id, "reject \(stale.id)") { _, state throws(PromotionError) in
                try state.rejection(of: stale, by: "bob", reason: "on an old read", releaseManagers: [], at: Date())
            }
        }
        #expect(refused?.code == .conflict)
        let now = try await store.promotion(stale.id)
        #expect(now.state == .pendingApproval)
        #expect(now.approvals.map(\.approver) == ["alice"])
        #expect(now.revision == stale.revision + 1)
        #expect(try await store.auditEntries(limit: 100).count == entries)
    }
}
