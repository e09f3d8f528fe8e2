import Hummingbird
import SluiceCore

/// `GET /api/v1/deliveries?limit=N`: the most recent deliveries, newest first.
enum DeliveryRoutes {
    static let defaultLimit = 50
    static let maximumLimit = 1000

    static func add(to router: RouterGroup<SluiceRequestContext>, store: Store) {
        router.get("api/v1/deliveries") { request, _ -> Response in
            let limit = try request.wholeNumber("limit", in: 1...maximumLimit, otherwise: defaultLimit)
            do {
                return JSONResponse.make(.ok, try await store.deliveries(limit: limit))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
    }
}
