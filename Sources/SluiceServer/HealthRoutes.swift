import Hummingbird
import SluiceCore

/// `GET /healthz`: liveness, answered without touching the store, so a slow database never makes
/// an orchestrator restart a process that is merely busy.
public enum HealthRoutes {
    public static func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("healthz") { _, _ in "ok\n" }
    }
}
