import Foundation
import Hummingbird
import SluiceCore

/// `GET /api/v1/promotions` and `POST /api/v1/promotions/{id}/approve|reject`.
///
/// A decision needs `auth` configured and a bearer token of role release-manager or admin; the
/// token's name is the approver, checked against the environment's approvers like every other
/// surface. Refusals map to 403 (who may not), 404 (no such promotion) and 409 (no longer
/// pending), each with the store's reason.
struct PromotionRoutes: Sendable {
    let store: Store
    let auth: AuthConfig?

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("api/v1/promotions") { request, _ -> Response in
            let all = request.uri.queryParameters.get("all") == "true"
            do {
                return JSONResponse.make(.ok, try await store.promotions(all: all))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable; retry later")
            }
        }
        router.post("api/v1/promotions/:id/approve") { request, context -> Response in
            try await decide(request, context.parameters.get("id")) { id, approver throws(PromotionError) in
                try await store.approve(id, as: approver)
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
                try await store.reject(id, as: approver, reason: reason)
            }
        }
    }

    private struct Rejection: Decodable {
        let reason: String
    }

    private func decide(
        _ request: Request, _ rawID: String?,
        _ decision: (Promotion.ID, String) async throws(PromotionError) -> Promotion
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
        guard let rawID, let number = Int64(rawID) else {
            return JSONResponse.error(.badRequest, "the promotion id must be a number", field: "id")
        }
        do {
            return JSONResponse.make(.ok, try await decision(Promotion.ID(number), caller.name))
        } catch {
            let status: HTTPResponse.Status =
                switch error.code {
                case .notFound: .notFound
                case .notPending: .conflict
                case .store: .serviceUnavailable
                default: .forbidden
                }
            return JSONResponse.error(status, error.message)
        }
    }
}
