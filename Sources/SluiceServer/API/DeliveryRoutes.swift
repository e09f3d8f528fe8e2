import Hummingbird
import SluiceCore

/// `GET /api/v1/deliveries?limit=N`: the most recent deliveries, newest first.
enum DeliveryRoutes {
    static let defaultLimit = 50
    static let maximumLimit = 1000

    static func add(to router: RouterGroup<SluiceRequestContext>, store: Store) {
        router.get("api/v1/deliveries") { request, _ -> Response in
            var limit = defaultLimit
            if let text = request.uri.queryParameters.get("limit") {
                guard let value = Int(text), (1...maximumLimit).contains(value) else {
                    return JSONResponse.error(
                        .badRequest, "limit must be a whole number from 1 to \(maximumLimit)", field: "limit")
                }
                limit = value
            }
            do {
                return JSONResponse.make(.ok, try await store.deliveries(limit: limit))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
    }
}
