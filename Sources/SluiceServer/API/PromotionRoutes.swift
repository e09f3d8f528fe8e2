import Foundation
import Hummingbird
import SluiceCore

/// `GET /api/v1/promotions`, `POST /api/v1/promotions/{id}/approve|reject` and
/// `POST /api/v1/models/{model}/rollback`.
///
/// A decision needs `auth` configured and a bearer token of role release-manager or admin; the
/// token's name is the approver, checked against the environment's approvers like every other
/// surface. An approval that completes a promotion, and a rollback, write the manifest to the
/// deploy repository before answering, so the answer shows the promotion applied (or why it
/// waits). Refusals map to 403 (who may not), 404 (no such promotion) and 409 (no longer
/// pending, or no such earlier version), each with the store's reason.
struct PromotionRoutes: Sendable {
    let promoter: Promoter
    let auth: AuthConfig?

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("api/v1/promotions") { request, _ -> Response in
            let all = request.uri.queryParameters.get("all") == "true"
            do {
                return JSONResponse.make(.ok, try await promoter.store.promotions(all: all))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable; retry later")
            }
        }
        router.post("api/v1/promotions/:id/approve") { request, context -> Response in
            try await decide(request, context.parameters.get("id")) { id, approver throws(PromotionError) in
                try await promoter.approve(id, as: approver)
            }
        }
        router.post("api/v1/promotions/:id/reject") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 10)
            guard let reason = (try? JSONDecoder().decode(Rejection.self, from: Data(buffer: body)))?.reason,
                !reason.isEmpty
            else {
                return JSONResponse.error(.badRequest, #"send a JSON body {"reason": "why"}"#, field: "reason")
            }
            return try await decide(request, context.parameters.get("id")) { id, approver throws(PromotionError) in
                try await promoter.store.reject(id, as: approver, reason: reason)
            }
        }
        router.post("api/v1/models/:model/rollback") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 10)
            guard let rollback = try? JSONDecoder().decode(Rollback.self, from: Data(buffer: body)),
                !rollback.environment.isEmpty, !rollback.reason.isEmpty, (rollback.to ?? 1) > 0
            else {
                return JSONResponse.error(
                    .badRequest, #"send a JSON body {"environment": "production", "reason": "why", "to": 3} ("to" is optional)"#)
            }
            let model = context.parameters.get("model") ?? ""
            return try await authorized(request) { actor throws(PromotionError) in
                try await promoter.rollback(
                    model, in: rollback.environment, to: rollback.to.map(ModelVersion.Number.init(_:)), by: actor,
                    reason: rollback.reason)
            }
        }
    }

    private struct Rejection: Decodable {
        let reason: String
    }

    private struct Rollback: Decodable {
        let environment: String
        let reason: String
        let to: Int?
    }

    private func decide(
        _ request: Request, _ rawID: String?,
        _ decision: (Promotion.ID, String) async throws(PromotionError) -> Promotion
    ) async throws -> Response {
        guard let rawID, let number = Int64(rawID) else {
            return JSONResponse.error(.badRequest, "the promotion id must be a number", field: "id")
        }
        return try await authorized(request) { approver throws(PromotionError) in
            try await decision(Promotion.ID(number), approver)
        }
    }

    /// Runs `action` as the caller when it bears a release-manager (or admin) token.
    private func authorized(
        _ request: Request, _ action: (String) async throws(PromotionError) -> Promotion
    ) async throws -> Response {
        guard let auth else {
            return JSONResponse.error(
                .forbidden, "decisions need to know who decides: configure auth.tokens_env and send a release-manager token")
        }
        guard let caller = APICaller.identify(request.headers[.authorization], in: auth) else {
            var response = JSONResponse.error(.unauthorized, "send a token from auth.tokens_env as Authorization: Bearer <token>")
            response.headers[.wwwAuthenticate] = #"Bearer realm="sluice""#
            return response
        }
        guard caller.role >= .releaseManager else {
            return JSONResponse.error(.forbidden, "\(caller.name) has role \(caller.role.rawValue); deciding needs release-manager")
        }
        do {
            return JSONResponse.make(.ok, try await action(caller.name))
        } catch {
            let status: HTTPResponse.Status =
                switch error.code {
                case .notFound: .notFound
                case .notPending, .invalidRollback: .conflict
                case .store, .unreadableSource: .serviceUnavailable
                default: .forbidden
                }
            return JSONResponse.error(status, error.message)
        }
    }
}
