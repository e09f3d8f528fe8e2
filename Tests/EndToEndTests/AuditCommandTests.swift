import Foundation
import SluiceTesting
import Testing

@Suite("sluice audit verify and export", .serialized)
struct AuditCommandTests {
    @Test("A local run leaves an intact chain that verify confirms and export lists, with none of the server's secrets set; an edit makes verify exit 1 naming the entry")
    func verifyAndExportAfterARun() throws {
        let starter = try RunCommandTests.StarterRepository()
        let (ran, output) = try starter.run()
        #expect(ran == 0, "\(output)")
        let config = starter.scratch.path("sluice.yml")
        try Data(
            """
            state_dir: state
            projects:
              - name: churn
                forge: github
                repo: https://github.com/acme/churn.git
                webhook_secret_env: E2E_WEBHOOK_SECRET
            """.utf8
        ).write(to: config)
        // Offline maintenance reads no secret: E2E_WEBHOOK_SECRET is left unset on purpose.
        let environment: [String: String] = [:]

        let (intact, verified) = try SluiceProcess.run(["audit", "verify", "--config", config.path], environment: environment)
        #expect(intact == 0, "\(verified)")
        #expect(verified.contains("audit log intact: 3 entries"))

        let export = starter.scratch.path("audit.jsonl")
        let (exported, exportOutput) = try SluiceProcess.run(
            ["audit", "export", "--config", config.path, "--output", export.path], environment: environment)
        #expect(exported == 0, "\(exportOutput)")
        let lines = try String(contentsOf: export, encoding: .utf8).split(separator: "\n")
        let actions = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["action"] as? String
        }
        #expect(actions == ["run.started", "run.finished", "gate.passed"])

        try Self.sqlite(
            starter.state.appendingPathComponent("sluice.sqlite"),
            "DROP TRIGGER audit_log_refuses_update; UPDATE audit_log SET actor = 'mallory' WHERE sequence = 2;")
        let (broken, brokenOutput) = try SluiceProcess.run(["audit", "verify", "--config", config.path], environment: environment)
        #expect(broken == 1)
        #expect(brokenOutput.contains("audit log broken at entry 2: its hash does not match its contents"))
    }

    /// Runs `sql` with the sqlite3 shell, as someone editing the file around Sluice would.
    static func sqlite(_ database: URL, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database.path, sql]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "sqlite3 failed")
    }
}
