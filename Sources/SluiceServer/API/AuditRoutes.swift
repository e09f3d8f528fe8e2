import Hummingbird
import SluiceCore

/// `GET /api/v1/audit?after=SEQ&limit=N`: audit entries after entry `after`, oldest first.
///
/// Oldest first, with `after`, so a reader pages through the whole log by passing the last
/// sequence number it saw, and the entries arrive in the order their hashes chain.
enum AuditRoutes {
    static let defaultLimit = 100
    static let maximumLimit = 1000

    static func add(to router: RouterGroup<SluiceRequestContext>, store: Store) {
        router.get("api/v1/audit") { request, _ -> Response in
            let after = try request.wholeNumber("after", in: 0...Int64.max, otherwise: 0)
            let limit = try request.wholeNumber("limit", in: 1...maximumLimit, otherwise: defaultLimit)
            do {
                return JSONResponse.make(.ok, try await store.auditEntries(after: after, limit: limit))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
    }
}
