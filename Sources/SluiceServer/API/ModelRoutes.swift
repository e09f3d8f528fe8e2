import Foundation
import Hummingbird
import SluiceCore

/// `GET /api/v1/models/{model}/versions` and `GET /api/v1/models/{model}/environments/{env}[?at=TIME]`.
///
/// The second answers "which version was in production at time T" in one call: the version the
/// environment held at `at` (its latest move without it) and every move of that environment,
/// oldest first.
enum ModelRoutes {
    /// What an environment held, and how it got there.
    struct EnvironmentState: Encodable {
        let model: String
        let environment: String
        /// The version held at `at` (its latest when there is no `at`); nil when it held none.
        let version: ModelVersion.Number?
        let at: Date?
        let history: [EnvironmentChange]
    }

    static func add(to router: RouterGroup<SluiceRequestContext>, store: Store) {
        router.get("api/v1/models/:model/versions") { _, context -> Response in
            let model = context.parameters.get("model") ?? ""
            do {
                let versions = try await store.versions(of: model)
                guard !versions.isEmpty else {
                    return JSONResponse.error(.notFound, "\(model) has no registered version")
                }
                return JSONResponse.make(.ok, versions)
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
        router.get("api/v1/models/:model/environments/:environment") { request, context -> Response in
            let model = context.parameters.get("model") ?? ""
            let environment = context.parameters.get("environment") ?? ""
            var at: Date?
            if let text = request.uri.queryParameters.get("at") {
                guard let date = try? Date(String(text), strategy: .iso8601) else {
                    return JSONResponse.error(
                        .badRequest, "at must be an ISO 8601 time such as 2026-11-27T10:00:00Z", field: "at")
                }
                at = date
            }
            do {
                let state = EnvironmentState(
                    model: model, environment: environment,
                    version: try await store.version(of: model, in: environment, at: at), at: at,
                    history: try await store.environmentHistory(of: model, environment: environment))
                return JSONResponse.make(.ok, state)
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
    }
}
