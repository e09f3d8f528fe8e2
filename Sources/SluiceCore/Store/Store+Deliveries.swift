import Foundation

extension Store {
    /// Records a received delivery and the triggers it produces in one transaction, or records it
    /// as a duplicate of the delivery that first carried the same key.
    ///
    /// An accepted or ignored delivery gets its audit entry in the same transaction; a duplicate
    /// gets none, since it decides nothing.
    ///
    /// A delivery is a duplicate when its delivery key was seen before, or when every trigger it
    /// carries was (data sources and Alertmanager resend the same object or alert in new
    /// deliveries). Of a delivery that is partly new, only the new triggers are queued. Writes are
    /// serialised (and committed in groups), so fifty concurrent copies still queue one trigger.
    public func record(_ delivery: IncomingDelivery) async throws(StoreError) -> DeliveryReceipt {
        let receivedAt = clock.now
        let payloads = try Self.encodedTriggers(delivery)
        do {
            return try await deliveryCommits.submit { db in
                try Self.record(delivery, payloads: payloads, receivedAt: receivedAt, in: db)
            }
        } catch {
            throw StoreError(operation: "record a delivery", underlying: error)
        }
    }

    private static func record(
        _ delivery: IncomingDelivery, payloads: [String], receivedAt: Date, in db: any StoreConnection
    ) throws -> DeliveryReceipt {
        if let key = delivery.deliveryKey,
            let original = try db.value(Int64.self, "SELECT id FROM deliveries WHERE dedupe_key = ?", [key])
        {
            return .duplicate(
                delivery: try Self.insertDelivery(db, delivery, receivedAt, outcome: "duplicate", duplicateOf: original),
                original: original)
        }
        switch delivery.verdict {
        case .ignored(let reason):
            let id = try Self.insertDelivery(db, delivery, receivedAt, outcome: "ignored", reason: reason, key: delivery.deliveryKey)
            var details = Self.auditDetails(delivery)
            details["reason"] = reason
            _ = try AuditLog.append(
                AuditEntry.Draft(actor: delivery.source, action: "delivery.ignored", subject: "delivery \(id)", details: details),
                at: receivedAt, in: db)
            return .ignored(delivery: id, reason: reason)
        case .accepted(let keyed):
            var fresh: [(KeyedTrigger, String)] = []
            var original: Int64?
            for (trigger, payload) in zip(keyed, payloads) {
                if let owner = try db.value(
                    Int64.self, "SELECT delivery_id FROM triggers WHERE dedupe_key = ?", [trigger.dedupeKey])
                {
                    original = original ?? owner
                } else {
                    fresh.append((trigger, payload))
                }
            }
            if fresh.isEmpty, let original {
                return .duplicate(
                    delivery: try Self.insertDelivery(db, delivery, receivedAt, outcome: "duplicate", duplicateOf: original),
                    original: original)
            }
            let id = try Self.insertDelivery(db, delivery, receivedAt, outcome: "accepted", key: delivery.deliveryKey)
            var triggers: [TriggerSummary] = []
            for (keyedTrigger, payload) in fresh {
                let trigger = try db.insert(
                    """
                    INSERT INTO triggers (delivery_id, kind, project, lane, dedupe_key, payload, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        id, keyedTrigger.trigger.kind.rawValue, keyedTrigger.trigger.project, keyedTrigger.trigger.lane,
                        keyedTrigger.dedupeKey, payload, receivedAt.timeIntervalSince1970,
                    ])
                triggers.append(TriggerSummary(id: trigger, kind: keyedTrigger.trigger.kind))
            }
            var details = Self.auditDetails(delivery)
            details["triggers"] = triggers.map { "\($0.kind.rawValue) \($0.id)" }.joined(separator: ", ")
            _ = try AuditLog.append(
                AuditEntry.Draft(actor: delivery.source, action: "delivery.accepted", subject: "delivery \(id)", details: details),
                at: receivedAt, in: db)
            return .accepted(delivery: id, triggers: triggers)
        }
    }

    /// The most recent deliveries, newest first, with the triggers each produced.
    public func deliveries(limit: Int) async throws(StoreError) -> [DeliveryRecord] {
        try await read("list deliveries") { db in
            let rows = try db.rows(
                """
                SELECT id, source, project, event, received_at, outcome, reason, duplicate_of
                FROM deliveries ORDER BY id DESC LIMIT ?
                """,
                [limit])
            guard let oldest = rows.last?["id"] as Int64? else { return [] }
            var triggers: [Int64: [TriggerSummary]] = [:]
            for row in try db.rows("SELECT id, delivery_id, kind FROM triggers WHERE delivery_id >= ? ORDER BY id", [oldest])
            {
                let kind = Trigger.Kind(rawValue: row["kind"]) ?? .push
                triggers[row["delivery_id"], default: []].append(TriggerSummary(id: row["id"], kind: kind))
            }
            return rows.map { row in
                DeliveryRecord(
                    id: row["id"], source: row["source"], project: row["project"], event: row["event"],
                    receivedAt: Date(timeIntervalSince1970: row["received_at"]), outcome: DeliveryRecord.Outcome(rawValue: row["outcome"]) ?? .ignored,
                    reason: row["reason"], duplicateOf: row["duplicate_of"], triggers: triggers[row["id"]] ?? [])
            }
        }
    }

    /// The triggers waiting to run, oldest first.
    public func queuedTriggers() async throws(StoreError) -> [StoredTrigger] {
        try await read("list queued triggers") { db in
            try db.rows("SELECT id, delivery_id, payload FROM triggers WHERE state = 'queued' ORDER BY id")
                .map { row in
                    StoredTrigger(
                        id: row["id"], delivery: row["delivery_id"],
                        trigger: try JSONDecoder().decode(Trigger.self, from: Data((row["payload"] as String).utf8)))
                }
        }
    }

    /// What every delivery's audit entry says: the event, and the project and sender's key when known.
    private static func auditDetails(_ delivery: IncomingDelivery) -> [String: String] {
        var details = ["event": delivery.event]
        details["project"] = delivery.project
        details["key"] = delivery.deliveryKey
        return details
    }

    private static func encodedTriggers(_ delivery: IncomingDelivery) throws(StoreError) -> [String] {
        guard case .accepted(let keyed) = delivery.verdict else { return [] }
        let encoder = JSONEncoder()
        do {
            return try keyed.map { String(decoding: try encoder.encode($0.trigger), as: UTF8.self) }
        } catch {
            throw StoreError(operation: "encode a trigger", underlying: error)
        }
    }

    private static func insertDelivery(
        _ db: any StoreConnection, _ delivery: IncomingDelivery, _ receivedAt: Date, outcome: String, reason: String? = nil,
        key: String? = nil, duplicateOf: Int64? = nil
    ) throws -> Int64 {
        try db.insert(
            """
            INSERT INTO deliveries (source, project, event, received_at, outcome, reason, dedupe_key, duplicate_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                delivery.source, delivery.project, delivery.event, receivedAt.timeIntervalSince1970, outcome, reason, key,
                duplicateOf,
            ])
    }
}
