import ArgumentParser
import Foundation
import SluiceCore

/// `sluice deliveries`: the most recent webhook deliveries, from the server's API.
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List recent webhook deliveries, newest first.",
        discussion: "Asks the server at $SLUICE_URL with the API token in $SLUICE_TOKEN (any role).")

    @OptionGroup var server: ServerOption

    @Flag(help: "Print JSON (the same shape as GET /api/v1/deliveries).")
    var json = false

    @Option(help: "How many deliveries to show (1-1000).")
    var limit = 20

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() async throws {
        let deliveries: [DeliveryRecord] = try await server.connection().call(
            .get, "/api/v1/deliveries?limit=\(limit)", command: "deliveries")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(deliveries), as: UTF8.self))
            return
        }
        guard !deliveries.isEmpty else {
            print("No deliveries yet.")
            return
        }
        let rows = deliveries.map { delivery in
            [
                String(delivery.id), delivery.receivedAt.formatted(.iso8601), delivery.source, delivery.project ?? "-",
                delivery.event, delivery.outcome.rawValue, Self.detail(delivery),
            ]
        }
        print(TextTable.render(header: ["ID", "RECEIVED", "SOURCE", "PROJECT", "EVENT", "OUTCOME", "DETAIL"], rows: rows))
    }

    private static func detail(_ delivery: DeliveryRecord) -> String {
        switch delivery.outcome {
        case .accepted: delivery.triggers.map { "\($0.kind.rawValue) #\($0.id)" }.joined(separator: ", ")
        case .ignored: delivery.reason ?? ""
        case .duplicate: delivery.duplicateOf.map { "of #\($0)" } ?? ""
        }
    }
}
