import Foundation
import Testing

@testable import SluiceCore

/// The policy rules alone, on values: no store, no repository.
@Suite("Policy rules as pure functions")
struct PolicyTests {
    static let policy = ProjectPolicy(
        project: "churn",
        environments: [
            EnvironmentPolicy(name: "staging", auto: true),
            EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice", "bob", "carol"], branches: ["main"]),
        ],
        models: ["churn"], modelOwners: ["churn": "churn"])

    static func spec(_ environments: [PipelineSpec.EnvironmentTarget], model: String = "churn") -> PipelineSpec {
        PipelineSpec(
            model: model, steps: PipelineSpec.Steps(train: PipelineSpec.Step(run: "true")), artifact: "m",
            environments: environments)
    }

    @Test("A spec may ask for more approvals, which makes an automatic environment protected; never fewer or impossible ones")
    func stricterOnly() {
        let planned = Self.policy.promotions(
            for: Self.spec([.init(name: "staging", approvals: 1), .init(name: "production", approvals: 2)]), branch: "main",
            loosened: false)
        #expect(planned == [
            .request(EnvironmentPolicy(name: "staging", approvals: 1)),
            .request(EnvironmentPolicy(name: "production", approvals: 2, approvers: ["alice", "bob", "carol"], branches: ["main"])),
        ])
        #expect(Self.policy.violations(of: Self.spec([.init(name: "production", approvals: 4)])) == [
            "environments[0].approvals: 4 approvals can never be given, projects[churn].environments[production].approvers lists only 3; lower it"
        ])
        #expect(Self.policy.violations(of: Self.spec([.init(name: "staging"), .init(name: "production")])).isEmpty)
    }

    @Test("A loosened version needs one approval everywhere; a version from another branch skips a restricted environment")
    func loosenedAndBranches() {
        let planned = Self.policy.promotions(
            for: Self.spec([.init(name: "staging"), .init(name: "production")]), branch: "hotfix", loosened: true)
        #expect(planned == [
            .request(EnvironmentPolicy(name: "staging", approvals: 1)),
            .skip(environment: "production", because: "only versions from main go to production (projects[churn].environments[production].branches)"),
        ])
    }

    @Test("A model nobody owns is refused with where to add it")
    func unownedModel() {
        #expect(Self.policy.violations(of: Self.spec([], model: "spam")) == [
            "model: project churn does not own a model named 'spam'; set model to one of churn, or add it to projects[churn].models in the server config"
        ])
    }

    static func promotion(broughtBy: [String], approvers: [String] = ["alice", "bob"], approvals: [String] = []) -> Promotion {
        let now = Date(timeIntervalSince1970: 0)
        return Promotion(
            id: Promotion.ID(4), model: "churn", version: ModelVersion.Number(3), environment: "production",
            state: .pendingApproval, requestedBy: "sluice", requiredApprovals: 2, approvers: approvers, broughtBy: broughtBy,
            allowSelfApproval: false, approvals: approvals.map { Promotion.Approval(approver: $0, at: now) }, reason: nil,
            deployCommit: nil, rollbackReason: nil, requestedAt: now, updatedAt: now)
    }

    @Test("An approval counts once per person, never from who brought the version, and only from deciders")
    func approvalRules() {
        let promotion = Self.promotion(broughtBy: ["BOB"], approvals: ["alice"])
        #expect(promotion.approvalRefusal(by: "bob", releaseManagers: [])?.code == .selfApproval)
        #expect(promotion.approvalRefusal(by: "Alice", releaseManagers: [])?.code == .alreadyApproved)
        #expect(promotion.approvalRefusal(by: "mallory", releaseManagers: ["mallory"])?.code == .notApprover)
        #expect(promotion.completedByOneMoreApproval)
        let managed = Self.promotion(broughtBy: [], approvers: [])
        #expect(managed.approvalRefusal(by: "rita", releaseManagers: ["rita"]) == nil)
        #expect(managed.approvalRefusal(by: "alice", releaseManagers: ["rita"])?.code == .notApprover)
        #expect(Promotion.initialState(under: EnvironmentPolicy(name: "staging", auto: true), pinned: false) == .approved)
        #expect(Promotion.initialState(under: EnvironmentPolicy(name: "staging", auto: true), pinned: true) == .pendingApproval)
    }
}
