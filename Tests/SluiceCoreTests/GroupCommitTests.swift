import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Store: group commit")
struct GroupCommitTests {
    /// A delivery row to insert; an outcome outside the schema's CHECK makes its write fail.
    struct Insert: Sendable {
        var outcome = "accepted"
        let key: String
        /// How long its write holds the writer first.
        var hold: TimeInterval = 0
    }

    static func commits(on store: Store) -> GroupCommit<Insert, Int64> {
        GroupCommit(database: store.database) { inputs, db in
            try inputs.map { input in
                Thread.sleep(forTimeInterval: input.hold)
                return try db.insert(
                    """
                    INSERT INTO deliveries (source, event, received_at, outcome, dedupe_key)
                    VALUES ('github', 'push', 0, ?, ?)
                    """,
                    [input.outcome, input.key])
            }
        }
    }

    @Test("A write that fails inside a batch fails alone: every other write of the batch is committed", arguments: StoreKind.allCases)
    func failingWriteFailsAlone(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let commits = Self.commits(on: store)
        // Hold the writer so the next twenty writes queue up and commit as one batch.
        async let holder = commits.submit(Insert(key: "holder", hold: 0.2))
        try await Task.sleep(for: .milliseconds(50))
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<20 {
                group.addTask {
                    let outcome = index == 7 ? "bogus" : "accepted"
                    let committed = (try? await commits.submit(Insert(outcome: outcome, key: "k\(index)"))) != nil
                    return (index, committed)
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        _ = try await holder
        #expect(outcomes.filter { !$0.value }.map(\.key) == [7])
        let keys = try await store.database.read { db in Set(try db.values(String.self, "SELECT dedupe_key FROM deliveries")) }
        #expect(keys == Set(["holder"] + (0..<20).filter { $0 != 7 }.map { "k\($0)" }))
    }
}
