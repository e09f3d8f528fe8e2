import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Store: deliveries and triggers")
struct StoreDeliveriesTests {
    static func push(_ project: String = "churn", after: String = "a", key: String) -> IncomingDelivery {
        let push = Push(
            project: project, ref: "refs/heads/main", refKind: .branch, before: Push.zeroCommit,
            after: String(repeating: after, count: 40), created: false, deleted: false, forced: false, pusher: "alice")
        return IncomingDelivery(
            source: "github", project: project, event: "push", deliveryKey: key,
            verdict: .accepted([KeyedTrigger(.push(push), dedupeKey: key)]))
    }

    static func dataArrival(version: String) -> KeyedTrigger {
        let arrival = DataArrival(
            source: "lake", dataset: "transactions", uri: "s3://lake/tx.csv", version: version, sha256: nil, size: 10)
        return KeyedTrigger(.dataArrival(arrival), dedupeKey: "data:transactions:s3://lake/tx.csv@\(version)")
    }

    @Test("Commits reach the disk before they return: the writer runs with synchronous = FULL")
    func writerSyncsEveryCommit() async throws {
        let scratch = try ScratchDirectory()
        let store = try Store(stateDirectory: scratch.url)
        // 2 is FULL. GRDB's WAL set-up leaves NORMAL (1), under which a commit acknowledged just
        // before a power loss can be lost.
        let mode = try await store.database.write { db in try db.value(Int.self, "PRAGMA synchronous") }
        #expect(mode == 2)
    }

    @Test("The state directory is created readable by the server's user only")
    func stateDirectoryIsPrivate() throws {
        let scratch = try ScratchDirectory()
        let state = scratch.path("deep/state")
        _ = try Store(stateDirectory: state)
        let mode = try FileManager.default.attributesOfItem(atPath: state.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test("An accepted delivery stores its trigger, and the same delivery again is a duplicate of the first", arguments: StoreKind.allCases)
    func acceptedThenDuplicate(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let first = try await store.record(Self.push(key: "github:1"))
        guard case .accepted(let delivery, let triggers) = first else {
            Issue.record("expected accepted, got \(first)")
            return
        }
        #expect(triggers.map(\.kind) == [.push])
        #expect(try await store.record(Self.push(key: "github:1")) == .duplicate(delivery: delivery + 1, original: delivery))
        #expect(try await store.queuedTriggers().count == 1)
        let listed = try await store.deliveries(limit: 10)
        #expect(listed.map(\.outcome) == [.duplicate, .accepted])
        #expect(listed.first?.duplicateOf == delivery)
        #expect(listed.last?.triggers == triggers)
    }

    @Test("An ignored delivery is recorded with its reason, and repeats of it are duplicates", arguments: StoreKind.allCases)
    func ignoredIsRecorded(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let ping = IncomingDelivery(source: "github", project: "churn", event: "ping", deliveryKey: "github:p", verdict: .ignored(reason: "ping"))
        guard case .ignored(let id, "ping") = try await store.record(ping) else {
            Issue.record("expected ignored")
            return
        }
        #expect(try await store.record(ping) == .duplicate(delivery: id + 1, original: id))
        #expect(try await store.queuedTriggers().isEmpty)
    }

    @Test("A data delivery queues only the object versions not seen before, and is a duplicate when all were", arguments: StoreKind.allCases)
    func perTriggerDedupe(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        func delivery(_ versions: [String]) -> IncomingDelivery {
            IncomingDelivery(
                source: "data:lake", project: nil, event: "ObjectCreated:Put", deliveryKey: nil,
                verdict: .accepted(versions.map(Self.dataArrival)))
        }
        guard case .accepted(let first, _) = try await store.record(delivery(["v1"])) else {
            Issue.record("expected accepted")
            return
        }
        guard case .accepted(_, let triggers) = try await store.record(delivery(["v1", "v2"])) else {
            Issue.record("expected accepted")
            return
        }
        #expect(triggers.count == 1)
        guard case .duplicate(_, let original) = try await store.record(delivery(["v1"])) else {
            Issue.record("expected duplicate")
            return
        }
        #expect(original == first)
        let versions = try await store.queuedTriggers().compactMap { stored -> String? in
            if case .dataArrival(let arrival) = stored.trigger { return arrival.version }
            return nil
        }
        #expect(versions == ["v1", "v2"])
    }

    @Test("The same delivery fifty times at once queues exactly one trigger", arguments: StoreKind.allCases)
    func concurrentDuplicates(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let receipts = try await withThrowingTaskGroup(of: DeliveryReceipt.self) { group in
            for _ in 0..<50 { group.addTask { try await store.record(Self.push(key: "github:same")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.filter { if case .accepted = $0 { true } else { false } }.count == 1)
        #expect(try await store.queuedTriggers().count == 1)
        #expect(try await store.deliveries(limit: 100).count == 50)
    }

    @Test("Two hundred different deliveries at once give two hundred rows and triggers", arguments: StoreKind.allCases)
    func concurrentDistinct(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 { group.addTask { _ = try await store.record(Self.push(key: "github:\(index)")) } }
            try await group.waitForAll()
        }
        #expect(try await store.deliveries(limit: 500).count == 200)
        #expect(try await store.queuedTriggers().count == 200)
    }

    @Test("Reopening the store keeps what was written and reports it ready", arguments: StoreKind.allCases)
    func reopen(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let location = try kind.location(in: scratch)
        do {
            let store = try await Store.open(location)
            _ = try await store.record(Self.push(key: "github:keep"))
        }
        let reopened = try await Store.open(location)
        #expect(await reopened.isReady())
        #expect(try await reopened.deliveries(limit: 5).count == 1)
        let stored = try await reopened.queuedTriggers()
        #expect(stored.first?.trigger == Self.push(key: "github:keep").acceptedTriggers.first)
    }

    @Test("A store migrated by a newer Sluice is not opened, and the error says which migration and what to do", arguments: StoreKind.allCases)
    func newerSchemaRefused(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let location = try kind.location(in: scratch)
        let store = try await Store.open(location)
        _ = try await store.record(Self.push(key: "github:kept"))
        try await store.database.write { db in
            try db.execute("INSERT INTO \(kind.migrationsTable) (identifier) VALUES ('v99: from the future')")
        }
        let error = await #expect(throws: StoreError.self) { try await Store.open(location) }
        #expect(error?.description.contains(#"the database has migration "v99: from the future""#) == true)
        #expect(error?.description.contains("a newer Sluice migrated it. Run that version (or a newer one) against it") == true)
        #expect(try await store.deliveries(limit: 5).count == 1)
    }

    @Test("A state directory that cannot be created is a store error naming it")
    func unwritableStateDirectory() throws {
        let scratch = try ScratchDirectory()
        let file = scratch.path("not-a-directory")
        try Data("x".utf8).write(to: file)
        let error = #expect(throws: StoreError.self) { try Store(stateDirectory: file.appendingPathComponent("state")) }
        #expect(error?.description.contains(file.path) == true)
    }
}

extension IncomingDelivery {
    fileprivate var acceptedTriggers: [Trigger] {
        if case .accepted(let keyed) = verdict { return keyed.map(\.trigger) }
        return []
    }
}
