import Crypto
import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Audit log: the hash chain, its guards and what records into it")
struct AuditLogTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000.123)

    /// Appends `count` entries, one second apart, each in its own transaction.
    static func appendEntries(_ count: Int, to store: Store) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for index in 0..<count {
            entries.append(
                try await store.database.write { db in
                    try AuditLog.append(
                        AuditEntry.Draft(
                            actor: "api:alice", action: "promotion.approved", subject: "promotion \(index)",
                            details: ["environment": "production", "note": "line \(index)\n\"quoted\""]),
                        at: start.addingTimeInterval(Double(index)), in: db)
                })
        }
        return entries
    }

    @Test("A chain of entries is numbered from 1 without gaps, each naming the hash before it, and verifies", arguments: StoreKind.allCases)
    func chainVerifies(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        #expect(try await store.verifyAudit() == .intact(count: 0, lastHash: AuditLog.genesisHash))
        let entries = try await Self.appendEntries(5, to: store)
        #expect(entries.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(entries.first?.previousHash == String(repeating: "0", count: 64))
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.hash == $1.previousHash })
        #expect(try await store.verifyAudit() == .intact(count: 5, lastHash: entries[4].hash))
        #expect(try await store.auditEntries(limit: 10) == entries)
        #expect(try await store.auditEntries(after: 3, limit: 10).map(\.sequence) == [4, 5])
        #expect(try await store.auditEntries(after: 1, limit: 2).map(\.sequence) == [2, 3])
    }

    @Test("An entry's hash is sha256 of the previous hash, a line feed and its canonical text, as documented", arguments: StoreKind.allCases)
    func hashIsDocumentedFormula(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let entry = try #require(try await Self.appendEntries(1, to: store).first)
        let canonical =
            #"{"action":"promotion.approved","actor":"api:alice","at":1700000000123,"#
            + #""details":{"environment":"production","note":"line 0\n\"quoted\""},"sequence":1,"subject":"promotion 0"}"#
        #expect(entry.canonicalText == canonical)
        let expected = SHA256.hash(data: Data("\(AuditLog.genesisHash)\n\(canonical)".utf8))
            .map { String(format: "%02x", $0) }.joined()
        #expect(entry.hash == expected)
        #expect(entry.at == Date(timeIntervalSince1970: 1_700_000_000.123))
    }

    @Test("UPDATE and DELETE on the audit log are refused by the database while its guards exist", arguments: StoreKind.allCases)
    func sqlEditsRefused(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        _ = try await Self.appendEntries(2, to: store)
        for statement in ["UPDATE audit_log SET actor = 'mallory' WHERE sequence = 1", "DELETE FROM audit_log WHERE sequence = 2"] {
            let error = await #expect(throws: (any Error).self) { try await store.execute([statement]) }
            #expect(error.map { "\($0)" }?.contains("the audit log is append-only") == true)
        }
        #expect(try await store.verifyAudit() == .intact(count: 2, lastHash: try await store.auditEntries(limit: 5)[1].hash))
    }

    @Test("Details edited behind the guard break the chain at exactly that entry", arguments: StoreKind.allCases)
    func editedEntryNamed(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        _ = try await Self.appendEntries(5, to: store)
        try await store.execute(kind.dropAuditGuards + [#"UPDATE audit_log SET details = '{"environment":"staging"}' WHERE sequence = 3"#])
        let verification = try await store.verifyAudit()
        #expect(verification == .broken(sequence: 3, reason: .hashMismatch))
        #expect(verification.description == "audit log broken at entry 3: its hash does not match its contents")
    }

    @Test("An entry rewritten with a fresh hash of its own is caught at the entry after it", arguments: StoreKind.allCases)
    func rehashedEntryNamedByItsSuccessor(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let entries = try await Self.appendEntries(4, to: store)
        let forged = AuditLog.hash(
            previous: entries[1].previousHash,
            canonicalText: AuditLog.canonicalText(
                sequence: 2, atMilliseconds: entries[1].atMilliseconds, actor: "api:mallory", action: entries[1].action,
                subject: entries[1].subject, details: CanonicalJSON.object(entries[1].details)))
        try await store.execute(kind.dropAuditGuards)
        try await store.execute("UPDATE audit_log SET actor = 'api:mallory', hash = ? WHERE sequence = 2", [forged])
        #expect(try await store.verifyAudit() == .broken(sequence: 3, reason: .previousHashMismatch))
    }

    @Test("A deleted entry is reported as the gap where it was", arguments: StoreKind.allCases)
    func deletedEntryIsAGap(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        _ = try await Self.appendEntries(5, to: store)
        try await store.execute(kind.dropAuditGuards + ["DELETE FROM audit_log WHERE sequence = 2"])
        let verification = try await store.verifyAudit()
        #expect(verification == .broken(sequence: 2, reason: .missing(next: 3)))
        #expect(verification.description == "audit log broken at entry 2: it is missing (the next entry present is 3)")
    }

    @Test("An accepted and an ignored delivery each commit with their audit entry; a duplicate adds none", arguments: StoreKind.allCases)
    func deliveriesAreAudited(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let clock = ManualClock()
        let store = try await kind.open(in: scratch, clock: clock)
        let receivedAt = clock.now
        guard case .accepted(let delivery, let triggers) = try await store.record(
            StoreDeliveriesTests.push(key: "github:1"))
        else {
            Issue.record("expected accepted")
            return
        }
        let ping = IncomingDelivery(source: "github", project: "churn", event: "ping", deliveryKey: "github:p", verdict: .ignored(reason: "ping"))
        guard case .ignored(let ignored, _) = try await store.record(ping) else {
            Issue.record("expected ignored")
            return
        }
        _ = try await store.record(StoreDeliveriesTests.push(key: "github:1"))
        _ = try await store.record(ping)

        let entries = try await store.auditEntries(limit: 10)
        #expect(entries.map(\.action) == ["delivery.accepted", "delivery.ignored"])
        #expect(entries.map(\.subject) == ["delivery \(delivery)", "delivery \(ignored)"])
        #expect(entries.map(\.actor) == ["github", "github"])
        #expect(entries.map(\.at) == [receivedAt, receivedAt])
        #expect(
            entries.first?.details
                == ["event": "push", "project": "churn", "key": "github:1", "triggers": "push \(triggers[0].id)"])
        #expect(entries.last?.details == ["event": "ping", "project": "churn", "key": "github:p", "reason": "ping"])
        #expect(try await store.verifyAudit().isIntact)
    }

    @Test("A delivery whose transaction fails leaves no audit entry behind", arguments: StoreKind.allCases)
    func failedDeliveryLeavesNoEntry(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        // The insert of the audit entry fails, so the delivery written before it must roll back too.
        try await store.execute(kind.refuseAuditInserts)
        await #expect(throws: StoreError.self) { try await store.record(StoreDeliveriesTests.push(key: "github:9")) }
        #expect(try await store.deliveries(limit: 10).isEmpty)
        #expect(try await store.queuedTriggers().isEmpty)
    }

    @Test("Two hundred concurrent deliveries, committed in groups, give two hundred chained entries", arguments: StoreKind.allCases)
    func concurrentDeliveriesChain(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 { group.addTask { _ = try await store.record(StoreDeliveriesTests.push(key: "github:\(index)")) } }
            try await group.waitForAll()
        }
        let verification = try await store.verifyAudit()
        guard case .intact(200, _) = verification else {
            Issue.record("expected 200 intact entries, got \(verification)")
            return
        }
    }

    @Test("A run's start and end, and its gate's verdict, are entries by sluice", arguments: StoreKind.allCases)
    func runsAreAudited(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let id = try await store.startRun(project: "churn", repository: "/repo", commit: "abc")
        let check = GateReport.Check(
            metric: "auc", bound: .min(0.8), candidate: 0.7, baseline: nil, verdict: .fail, reason: "0.7 < min 0.8")
        try await store.finishRun(
            id, state: .gateFailed, reason: "the gate failed",
            conclusion: Run.Conclusion(model: "churn", gateReport: GateReport(checks: [check], baselineLabel: nil)))
        let entries = try await store.auditEntries(limit: 10)
        #expect(entries.map(\.action) == ["run.started", "run.finished", "gate.failed"])
        #expect(Set(entries.map(\.subject)) == ["run \(id.rawValue)"])
        #expect(Set(entries.map(\.actor)) == ["sluice"])
        #expect(entries[0].details == ["project": "churn", "repository": "/repo", "commit": "abc"])
        #expect(entries[1].details == ["state": "gate_failed", "reason": "the gate failed", "model": "churn"])
        #expect(entries[2].details == ["failed": "auc", "model": "churn"])
        #expect(try await store.verifyAudit().isIntact)
    }

    @Test("Export writes one parseable JSON object per line, in sequence order, with both hashes", arguments: StoreKind.allCases)
    func exportWritesJSONLines(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory()
        let store = try await kind.open(in: scratch)
        let entries = try await Self.appendEntries(7, to: store)
        let file = scratch.path("audit.jsonl")
        try #require(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        #expect(try await store.exportAudit(to: handle, pageSize: 3) == 7)
        try handle.close()
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 8)
        #expect(lines.last == "")
        let decoded = try lines.dropLast().map { line in try JSONDecoder().decode(AuditEntry.self, from: Data(line.utf8)) }
        #expect(decoded == entries)
        #expect(lines.first.map(String.init) == entries.first?.jsonLine)
        #expect(lines.first?.hasPrefix(#"{"action":"promotion.approved","actor":"api:alice","at":1700000000123,"#) == true)
    }
}
