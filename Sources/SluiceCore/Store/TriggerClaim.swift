/// A scheduler's hold on a trigger it runs: the trigger and the attempt its claim began.
///
/// Every write that carries a claimed trigger on (its lease, its runs' start and end, their
/// registration, the trigger's end) holds only while the trigger is still `running` at this
/// attempt and its lease has not run out. A replica that stalled past its lease may be taken
/// over at any moment, so from then on none of its writes land over the new claimer's.
public struct TriggerClaim: Sendable, Hashable, CustomStringConvertible {
    public let trigger: Int64
    /// The trigger's `attempts` once claimed: 1 for its first claim, 2 after one takeover.
    public let attempt: Int

    public var description: String { "trigger \(trigger) (attempt \(attempt))" }
}

/// A write refused because its trigger's claim no longer holds.
struct LostClaim: Error, CustomStringConvertible {
    let claim: TriggerClaim

    var description: String {
        "\(claim) is no longer this server's: its lease ran out before it was renewed, "
            + "so another replica takes the trigger over; this server's work on it is dropped"
    }
}

extension TriggerClaim {
    /// The condition on a trigger's row under which this claim holds, with `arguments(at:)`.
    static let heldCondition = "id = ? AND state = 'running' AND attempts = ? AND lease_expires_at >= ?"

    /// The values of `heldCondition` at `now`.
    func arguments(at now: Double) -> SQLArguments {
        [trigger, attempt, now]
    }

    /// Whether this claim still holds at `now`, as one statement that also takes the trigger's row
    /// lock on PostgreSQL until the transaction ends: a takeover (which updates the row first)
    /// then waits for the write that checked, or that write sees it. SQLite has one writer.
    func holds(at now: Double, in db: any StoreConnection) throws -> Bool {
        try db.execute(
            "UPDATE triggers SET lease_expires_at = lease_expires_at WHERE \(Self.heldCondition)", arguments(at: now)) == 1
    }

    /// Throws `LostClaim` unless the claim holds at `now`.
    func check(at now: Double, in db: any StoreConnection) throws {
        guard try holds(at: now, in: db) else { throw LostClaim(claim: self) }
    }
}
