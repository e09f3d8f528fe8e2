import Foundation

extension Store {
    /// Runs and promotions by state, gate verdicts, and the queue's depth and oldest entry, for `/metrics`.
    public func statistics() async throws(StoreError) -> StoreStatistics {
        try await read("count runs, promotions and queued triggers") { db in
            func counts(_ table: String) throws -> [String: Int] {
                Dictionary(
                    uniqueKeysWithValues: try db.rows("SELECT state, COUNT(*) AS n FROM \(table) GROUP BY state")
                        .map { ($0["state"] as String, $0["n"] as Int) })
            }
            let runs = try counts("runs")
            let promotions = try counts("promotions")
            let queue = try db.row("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM triggers WHERE state = 'queued'")
            let verdicts = try db.row(
                """
                SELECT COUNT(CASE WHEN state = 'passed' THEN 1 END) AS pass,
                       COUNT(CASE WHEN state <> 'passed' THEN 1 END) AS fail
                FROM runs WHERE gate_report IS NOT NULL
                """)
            return StoreStatistics(
                runs: Dictionary(uniqueKeysWithValues: Run.State.allCases.map { ($0, runs[$0.rawValue] ?? 0) }),
                promotions: Dictionary(
                    uniqueKeysWithValues: Promotion.State.allCases.map { ($0, promotions[$0.rawValue] ?? 0) }),
                queuedTriggers: queue?["n"] ?? 0,
                oldestQueuedAt: (queue?["oldest"] as Double?).map(Date.init(timeIntervalSince1970:)),
                gateVerdicts: ["pass": verdicts?["pass"] ?? 0, "fail": verdicts?["fail"] ?? 0])
        }
    }
}
