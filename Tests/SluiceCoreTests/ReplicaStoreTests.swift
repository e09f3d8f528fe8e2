import Foundation
import SluiceTesting
import Synchronization
import Testing

@testable import SluiceCore

/// Several stores on one PostgreSQL database, as several `sluice serve` replicas have.
@Suite("Replicas sharing one PostgreSQL store")
struct ReplicaStoreTests {
    /// Counts bodies running at once and remembers the most seen.
    final class Overlap: Sendable {
        private let state = Mutex((running: 0, most: 0))

        func run(for duration: Duration) async {
            state.withLock { state in
                state.running += 1
                state.most = max(state.most, state.running)
            }
            try? await Task.sleep(for: duration)
            state.withLock { $0.running -= 1 }
        }

        var most: Int { state.withLock { $0.most } }
    }

    @Test("Three replicas never run a body under one name at once; bodies under other names do not wait for it")
    func exclusiveAcrossReplicas() async throws {
        let scratch = try ScratchDirectory()
        let location = try StoreKind.postgres.location(in: scratch)
        var replicas: [Store] = []
        for _ in 0..<3 { replicas.append(try await Store.open(location)) }
        let deploy = Overlap()
        let other = Overlap()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, replica) in replicas.enumerated() {
                for _ in 0..<2 {
                    group.addTask { try await replica.exclusively("deploy acme/deploy main") { await deploy.run(for: .milliseconds(100)) } }
                }
                group.addTask { try await replica.exclusively("deploy other \(index)") { await other.run(for: .milliseconds(300)) } }
            }
            try await group.waitForAll()
        }
        #expect(deploy.most == 1)
        #expect(other.most == 3)
        // Six turns of 100 ms one after another; the other names ran beside them.
        #expect(ContinuousClock.now - started >= .milliseconds(600))
    }

    @Test("Concurrent deliveries through three replicas are stored once each and chain into one audit log")
    func deliveriesAcrossReplicas() async throws {
        let scratch = try ScratchDirectory()
        let location = try StoreKind.postgres.location(in: scratch)
        var replicas: [Store] = []
        for _ in 0..<3 { replicas.append(try await Store.open(location)) }
        let receipts = try await withThrowingTaskGroup(of: DeliveryReceipt.self) { group in
            for index in 0..<150 {
                // Every delivery reaches two replicas, as a forge's retry to another one would.
                for copy in 0..<2 {
                    let replica = replicas[(index + copy) % 3]
                    group.addTask { try await replica.record(StoreDeliveriesTests.push(after: "a", key: "github:\(index)")) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.filter { if case .accepted = $0 { true } else { false } }.count == 150)
        #expect(try await replicas[1].queuedTriggers().count == 150)
        let verification = try await replicas[2].verifyAudit()
        #expect(verification.isIntact)
        guard case .intact(let count, _) = verification else { return }
        #expect(count == 150)
        // The installation's name is one, whichever replica made the schema.
        #expect(Set(replicas.map { $0.installationID }).count == 1)
    }

    @Test("A trigger claimed by one replica is never claimed by another, and one whose replica died is taken back by another")
    func claimsAcrossReplicas() async throws {
        let scratch = try ScratchDirectory()
        let clock = ManualClock()
        let location = try StoreKind.postgres.location(in: scratch)
        let first = try await Store.open(location, clock: clock)
        let second = try await Store.open(location, clock: clock)
        for index in 0..<20 {
            _ = try await first.record(StoreDeliveriesTests.push("p\(index)", key: "github:\(index)"))
        }
        let ids = try await first.runnableTriggers(limit: 50).map(\.id)
        let lease = clock.now.addingTimeInterval(15)
        async let claimedByFirst = first.claimTriggers(ids, leaseExpiry: lease)
        async let claimedBySecond = second.claimTriggers(ids, leaseExpiry: lease)
        let (a, b) = try await (claimedByFirst, claimedBySecond)
        #expect(Set(a.map(\.trigger)).isDisjoint(with: b.map(\.trigger)))
        #expect(Set((a + b).map(\.trigger)) == Set(ids))
        // The first replica dies: its leases run out, and the second takes its triggers back.
        clock.advance(by: .seconds(16))
        let recovered = try await second.recoverAbandonedTriggers(maxAttempts: 2)
        #expect(Set(recovered.map(\.id)) == Set(ids))
        #expect(recovered.allSatisfy { $0.requeued })
    }
}
