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
        let arrival = DeliveryArrival(delivery: delivery, payloads: try Self.encodedTriggers(delivery), receivedAt: clock.now)
        do {
            return try await deliveryCommits.submit(arrival)
        } catch {
            throw StoreError(operation: "record a delivery", underlying: error)
        }
    }

    /// Records `arrivals` in order, as if one by one, with a fixed number of statements: one look
    /// for the keys seen before and the next ids, and one insert each for the deliveries, the
    /// triggers and their audit entries. Ids are the next ones after the highest stored,
    /// which only this function inserts, under the store's write turn.
    static func record(_ arrivals: [DeliveryArrival], in db: any StoreConnection) throws -> [DeliveryReceipt] {
        // One query for what was seen before and where the ids go on: on PostgreSQL each
        // statement is a round trip under the write turn every replica waits for.
        let deliveryKeys = SQLArguments(Set(arrivals.compactMap(\.delivery.deliveryKey)))
        let triggerKeys = SQLArguments(Set(arrivals.flatMap { $0.delivery.keyedTriggers.map(\.dedupeKey) }))
        var lookups = [
            "SELECT 'last_delivery' AS kind, '' AS key, COALESCE(MAX(id), 0) AS id FROM deliveries",
            "SELECT 'last_trigger', '', COALESCE(MAX(id), 0) FROM triggers",
        ]
        if !deliveryKeys.values.isEmpty {
            lookups.append("SELECT 'delivery', dedupe_key, id FROM deliveries WHERE dedupe_key IN (\(deliveryKeys.placeholders))")
        }
        if !triggerKeys.values.isEmpty {
            lookups.append("SELECT 'trigger', dedupe_key, delivery_id FROM triggers WHERE dedupe_key IN (\(triggerKeys.placeholders))")
        }
        var deliveriesByKey: [String: Int64] = [:]
        var deliveriesByTriggerKey: [String: Int64] = [:]
        var nextDelivery: Int64 = 1
        var nextTrigger: Int64 = 1
        for row in try db.rows(lookups.joined(separator: " UNION ALL "), deliveryKeys.appending(triggerKeys)) {
            switch row["kind"] as String {
            case "last_delivery": nextDelivery = (row["id"] as Int64) + 1
            case "last_trigger": nextTrigger = (row["id"] as Int64) + 1
            case "delivery": deliveriesByKey[row["key"]] = row["id"]
            default: deliveriesByTriggerKey[row["key"]] = row["id"]
            }
        }

        var deliveryRows: [[(any SQLValueConvertible)?]] = []
        var triggerRows: [[(any SQLValueConvertible)?]] = []
        var audit: [(draft: AuditEntry.Draft, at: Date)] = []
        var receipts: [DeliveryReceipt] = []
        for arrival in arrivals {
            let delivery = arrival.delivery
            let id = nextDelivery
            nextDelivery += 1
            func row(_ outcome: String, reason: String? = nil, key: String? = nil, duplicateOf: Int64? = nil) {
                deliveryRows.append([
                    id, delivery.source, delivery.project, delivery.event, arrival.receivedAt.timeIntervalSince1970, outcome,
                    reason, key, duplicateOf,
                ])
            }
            if let key = delivery.deliveryKey, let original = deliveriesByKey[key] {
                row("duplicate", duplicateOf: original)
                receipts.append(.duplicate(delivery: id, original: original))
                continue
            }
            var details = Self.auditDetails(delivery)
            switch delivery.verdict {
            case .ignored(let reason):
                row("ignored", reason: reason, key: delivery.deliveryKey)
                details["reason"] = reason
                audit.append((AuditEntry.Draft(actor: delivery.source, action: "delivery.ignored", subject: "delivery \(id)", details: details), arrival.receivedAt))
                receipts.append(.ignored(delivery: id, reason: reason))
            case .accepted(let keyed):
                let fresh = zip(keyed, arrival.payloads).filter { deliveriesByTriggerKey[$0.0.dedupeKey] == nil }
                if fresh.isEmpty, let original = keyed.lazy.compactMap({ deliveriesByTriggerKey[$0.dedupeKey] }).first {
                    row("duplicate", duplicateOf: original)
                    receipts.append(.duplicate(delivery: id, original: original))
                    continue
                }
                row("accepted", key: delivery.deliveryKey)
                var triggers: [TriggerSummary] = []
                for (keyedTrigger, payload) in fresh {
                    let trigger = keyedTrigger.trigger
                    triggerRows.append([
                        nextTrigger, id, trigger.kind.rawValue, trigger.project, trigger.lane, keyedTrigger.dedupeKey, payload,
                        arrival.receivedAt.timeIntervalSince1970,
                    ])
                    triggers.append(TriggerSummary(id: nextTrigger, kind: trigger.kind))
                    deliveriesByTriggerKey[keyedTrigger.dedupeKey] = id
                    nextTrigger += 1
                }
                details["triggers"] = triggers.map { "\($0.kind.rawValue) \($0.id)" }.joined(separator: ", ")
                audit.append((AuditEntry.Draft(actor: delivery.source, action: "delivery.accepted", subject: "delivery \(id)", details: details), arrival.receivedAt))
                receipts.append(.accepted(delivery: id, triggers: triggers))
            }
            if let key = delivery.deliveryKey { deliveriesByKey[key] = id }
        }
        try db.insert(
            into: "deliveries",
            ["id", "source", "project", "event", "received_at", "outcome", "reason", "dedupe_key", "duplicate_of"], deliveryRows)
        try db.insert(
            into: "triggers", ["id", "delivery_id", "kind", "project", "lane", "dedupe_key", "payload", "created_at"], triggerRows)
        _ = try AuditLog.append(audit, in: db)
        return receipts
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
}

/// A delivery on its way into the store, with its triggers encoded and the time it arrived.
struct DeliveryArrival: Sendable {
    let delivery: IncomingDelivery
    /// Each accepted trigger as JSON, in the order of the delivery's triggers.
    let payloads: [String]
    let receivedAt: Date
}

extension IncomingDelivery {
    /// The triggers of an accepted delivery; none for an ignored one.
    var keyedTriggers: [KeyedTrigger] {
        if case .accepted(let keyed) = verdict { return keyed }
        return []
    }
}
