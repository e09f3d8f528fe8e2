import Hummingbird
import SluiceCore

/// `GET /healthz` (liveness) and `GET /readyz` (readiness).
///
/// Liveness never touches the store, so a slow disk does not get a busy process restarted;
/// readiness answers 503 until the store is open and fully migrated.
enum HealthRoutes {
    static func add(to router: RouterGroup<SluiceRequestContext>, store: Store) {
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            guard await store.isReady() else {
                return JSONResponse.error(.serviceUnavailable, "the store is not open or not migrated")
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n")))
        }
    }
}
