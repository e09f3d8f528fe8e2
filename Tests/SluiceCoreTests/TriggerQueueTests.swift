import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Store: the promotion decisions in the trigger queue")
struct TriggerQueueTests {
    static func comment(_ verb: CommentCommand.Verb, key: String) -> IncomingDelivery {
        let command = CommentCommand(
            project: "churn", number: 7, verb: verb, environment: verb == .run ? nil : "production", commenter: "alice",
            authorAssociation: "MEMBER")
        return IncomingDelivery(
            source: "github", project: "churn", event: "issue_comment", deliveryKey: key,
            verdict: .accepted([KeyedTrigger(.command(command), dedupeKey: key)]))
    }

    @Test("Approve and reject comments are claimed once; pushes and /sluice run stay queued for runs", arguments: StoreKind.allCases)
    func claimsDecisionsOnly(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let clock = ManualClock()
        let store = try await kind.open(in: scratch, clock: clock)
        _ = try await store.record(StoreDeliveriesTests.push(key: "github:push"))
        _ = try await store.record(Self.comment(.run, key: "github:run"))
        _ = try await store.record(Self.comment(.approve, key: "github:approve"))
        _ = try await store.record(Self.comment(.reject, key: "github:reject"))

        let lease = clock.now.addingTimeInterval(120)
        let claimed = try await store.claimPromotionDecisions(leaseExpiry: lease)
        #expect(claimed.map(\.command.verb) == [.approve, .reject])
        #expect(try await store.claimPromotionDecisions(leaseExpiry: lease).isEmpty)
        #expect(try await store.queuedTriggers().map(\.trigger.kind) == [.push, .command])

        // A server that stopped between claiming and finishing leaves them claimed: another
        // replica, or the next start, takes them once their lease has run out, but not the
        // finished one.
        try await store.finishDecision(claimed[0], refusal: nil)
        clock.advance(by: .seconds(119))
        #expect(try await store.claimPromotionDecisions(leaseExpiry: clock.now.addingTimeInterval(120)).isEmpty)
        clock.advance(by: .seconds(2))
        #expect(
            try await store.claimPromotionDecisions(leaseExpiry: clock.now.addingTimeInterval(120)).map(\.command.verb)
                == [.reject])
        try await store.finishDecision(claimed[1], refusal: "nothing waits")
        let refusal = try await store.auditEntries(limit: 100).last
        #expect(refusal?.action == "command.refused")
        #expect(refusal?.subject == "/sluice reject production on churn #7")
        #expect(refusal?.details["reason"] == "nothing waits")
    }
}
