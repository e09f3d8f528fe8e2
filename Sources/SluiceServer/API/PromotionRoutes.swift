import Foundation
import Hummingbird
import SluiceCore

/// Promotions and the decisions on them: `GET /api/v1/promotions` for viewers;
/// `POST /api/v1/promotions/{id}/approve|reject`, `POST /api/v1/promotions/apply`,
/// `POST /api/v1/models/{model}/rollback` and `POST|DELETE /api/v1/models/{model}/environments/{env}/pin`
/// for release managers (``Access/api(_:)`` refuses anyone else before a handler runs).
///
/// The caller's token names the decider, who is checked against the environment's approvers
/// like on every other surface. An approval that completes a promotion, and a rollback, write the
/// manifest to the deploy repository before answering, so the answer shows the promotion applied
/// (or why it waits). Refusals map to 403 (who may not), 404 (no such promotion) and 409 (no
/// longer pending, or no such earlier version), each with the reason.
struct PromotionRoutes: Sendable {
    /// The largest decision body read.
    static let maxBodyBytes = 64 << 10

    let store: Store
    let promoter: Promoter

    func add(reads: RouterGroup<SluiceRequestContext>, decisions: RouterGroup<SluiceRequestContext>) {
        reads.get("api/v1/promotions") { request, _ -> Response in
            let all = request.uri.queryParameters.get("all") == "true"
            do {
                return JSONResponse.make(.ok, try await store.promotions(all: all))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable; retry later")
            }
        }
        decisions.post("api/v1/promotions/:id/approve") { _, context -> Response in
            guard let id = Self.promotionID(context) else { return Self.badID }
            return await Self.decided { () throws(PromotionError) in try await promoter.approve(id, as: context.login) }
        }
        decisions.post("api/v1/promotions/:id/reject") { request, context -> Response in
            guard let id = Self.promotionID(context) else { return Self.badID }
            guard let body: Rejection = try await Self.body(request), !body.reason.isEmpty else {
                return JSONResponse.error(.badRequest, #"send a JSON body {"reason": "why"}"#, field: "reason")
            }
            return await Self.decided { () throws(PromotionError) in
                try await promoter.reject(id, as: context.login, reason: body.reason)
            }
        }
        decisions.post("api/v1/promotions/apply") { _, _ -> Response in
            await Self.decided { () throws(PromotionError) in try await promoter.applyApproved() }
        }
        decisions.post("api/v1/models/:model/rollback") { request, context -> Response in
            guard let body: Rollback = try await Self.body(request), !body.environment.isEmpty, !body.reason.isEmpty,
                (body.to ?? 1) > 0
            else {
                return JSONResponse.error(
                    .badRequest, #"send a JSON body {"environment": "production", "reason": "why", "to": 3} ("to" is optional)"#)
            }
            let model = context.parameters.get("model") ?? ""
            return await Self.decided { () throws(PromotionError) in
                try await promoter.rollback(
                    model, in: body.environment, to: body.to.map(ModelVersion.Number.init(_:)), by: context.login,
                    reason: body.reason)
            }
        }
        decisions.post("api/v1/models/:model/environments/:environment/pin") { request, context -> Response in
            guard let body: Rejection = try await Self.body(request), !body.reason.isEmpty else {
                return JSONResponse.error(.badRequest, #"send a JSON body {"reason": "why"}"#, field: "reason")
            }
            let (model, environment) = (context.parameters.get("model") ?? "", context.parameters.get("environment") ?? "")
            return await Self.decided { () throws(PromotionError) in
                try await promoter.pin(model, environment: environment, by: context.login, reason: body.reason)
                return Pinned(model: model, environment: environment, pinned: true, promotions: [])
            }
        }
        decisions.delete("api/v1/models/:model/environments/:environment/pin") { _, context -> Response in
            let (model, environment) = (context.parameters.get("model") ?? "", context.parameters.get("environment") ?? "")
            return await Self.decided { () throws(PromotionError) in
                let released = try await promoter.unpin(model, environment: environment, by: context.login)
                return Pinned(model: model, environment: environment, pinned: false, promotions: released)
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

    /// What a pin or unpin left: the environment's state and the promotions an unpin let go.
    private struct Pinned: Encodable, Sendable {
        let model: String
        let environment: String
        let pinned: Bool
        let promotions: [Promotion]
    }

    private static let badID = JSONResponse.error(.badRequest, "the promotion id must be a number", field: "id")

    private static func promotionID(_ context: SluiceRequestContext) -> Promotion.ID? {
        context.parameters.get("id").flatMap(Int64.init).map(Promotion.ID.init(_:))
    }

    /// The request's JSON body, or nil when it is not one of `T`.
    private static func body<T: Decodable>(_ request: Request) async throws -> T? {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        return try? JSONDecoder().decode(T.self, from: Data(buffer: buffer))
    }

    /// The decision's result as JSON, or its refusal with the status that fits it.
    private static func decided<T: Encodable>(_ decision: () async throws(PromotionError) -> T) async -> Response {
        do {
            return JSONResponse.make(.ok, try await decision())
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
