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
            var after: Int64 = 0
            if let text = request.uri.queryParameters.get("after") {
                guard let value = Int64(text), value >= 0 else {
                    return JSONResponse.error(.badRequest, "after must be a whole number, 0 or more", field: "after")
                }
                after = value
            }
            var limit = defaultLimit
            if let text = request.uri.queryParameters.get("limit") {
                guard let value = Int(text), (1...maximumLimit).contains(value) else {
                    return JSONResponse.error(
                        .badRequest, "limit must be a whole number from 1 to \(maximumLimit)", field: "limit")
                }
                limit = value
            }
            do {
                return JSONResponse.make(.ok, try await store.auditEntries(after: after, limit: limit))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
    }
}
