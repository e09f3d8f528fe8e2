import Foundation
import Hummingbird
import Logging
import NIOCore
import SluiceCore

/// The webhook endpoints: `/hooks/github/{project}`, `/hooks/gitlab/{project}`,
/// `/hooks/data/{source}` and `/hooks/alertmanager`.
///
/// Each request goes: find the project or source (404) → read the body within the limit (413) →
/// verify the signature or token in constant time, before any parsing (401) → parse (400 naming
/// the field) → store the delivery and its triggers (503 when the store fails) → answer 202, or
/// 200 for a duplicate. Nothing is answered 2xx before it is in the store.
struct HookRoutes: Sendable {
    let config: ServerConfig
    let store: Store
    let metrics: ServerMetrics
    /// What a signed webhook's timestamp is checked against.
    let clock: any WallClock
    let logger: Logger

    func add(to router: RouterGroup<SluiceRequestContext>) {
        router.post("hooks/github/:project") { request, context in
            try await gitHub(request, project: context.parameters.get("project") ?? "")
        }
        router.post("hooks/gitlab/:project") { request, context in
            try await gitLab(request, project: context.parameters.get("project") ?? "")
        }
        router.post("hooks/data/:source") { request, context in
            try await data(request, source: context.parameters.get("source") ?? "")
        }
        router.post("hooks/alertmanager") { request, _ in
            try await alertmanager(request)
        }
    }

    private func gitHub(_ request: Request, project name: String) async throws -> Response {
        guard let project = config.project(named: name), project.forge == .github else {
            return JSONResponse.error(.notFound, "no GitHub project named '\(name)' is configured")
        }
        return await receive(request, source: "github") { headers, body throws(HookError) in
            guard WebhookAuthentication.gitHubSignatureIsValid(
                body: body, signatureHeader: headers[HeaderName.hubSignature256],
                secret: project.webhookSecret?.revealed ?? "")
            else {
                throw HookError(
                    .unauthorized, "X-Hub-Signature-256",
                    "the X-Hub-Signature-256 signature does not match the project's webhook secret")
            }
            return try GitHubHook.parse(
                event: headers[HeaderName.gitHubEvent], deliveryID: headers[HeaderName.gitHubDelivery], body: body,
                project: project.name, watchesBranch: project.watches(branch:))
        }
    }

    private func gitLab(_ request: Request, project name: String) async throws -> Response {
        guard let project = config.project(named: name), project.forge == .gitlab else {
            return JSONResponse.error(.notFound, "no GitLab project named '\(name)' is configured")
        }
        return await receive(request, source: "gitlab") { headers, body throws(HookError) in
            guard WebhookAuthentication.tokenMatches(
                headers[HeaderName.gitLabToken], expected: project.webhookSecret?.revealed ?? "")
            else {
                throw HookError(
                    .unauthorized, "X-Gitlab-Token",
                    "the X-Gitlab-Token header does not match the project's webhook secret")
            }
            if let signingSecret = project.signingSecret {
                try WebhookAuthentication.verifyStandardWebhook(
                    body: body, id: headers[HeaderName.webhookID], timestamp: headers[HeaderName.webhookTimestamp],
                    signature: headers[HeaderName.webhookSignature], secret: signingSecret.revealed, now: clock.now)
            }
            return try GitLabHook.parse(
                event: headers[HeaderName.gitLabEvent], idempotencyKey: headers[HeaderName.idempotencyKey],
                eventUUID: headers[HeaderName.gitLabEventUUID], body: body, project: project.name,
                watchesBranch: project.watches(branch:))
        }
    }

    private func data(_ request: Request, source name: String) async throws -> Response {
        guard let source = config.dataSource(named: name) else {
            return JSONResponse.error(.notFound, "no data source named '\(name)' is configured")
        }
        let datasets = config.datasets
        return await receive(request, source: "data:\(source.name)") { headers, body throws(HookError) in
            switch source.credential {
            case .bearerToken(let token):
                guard WebhookAuthentication.bearerMatches(authorization: headers[.authorization], token: token.revealed)
                else {
                    throw HookError(
                        .unauthorized, "Authorization",
                        "the Authorization header must be 'Bearer <token>' with the source's token")
                }
            case .hmacSecret(let secret):
                guard WebhookAuthentication.gitHubSignatureIsValid(
                    body: body, signatureHeader: headers[HeaderName.sluiceSignature256], secret: secret.revealed)
                else {
                    throw HookError(
                        .unauthorized, "X-Sluice-Signature-256",
                        "the X-Sluice-Signature-256 signature does not match the source's secret")
                }
            }
            return try DataHook.parse(
                kind: DataHook.Kind(source.kind), source: source.name, body: body,
                datasets: datasets.map { dataset in DataHook.Dataset(name: dataset.name, matches: dataset.matches(uri:)) })
        }
    }

    private func alertmanager(_ request: Request) async throws -> Response {
        guard let alertmanager = config.alertmanager else {
            return JSONResponse.error(.notFound, "Alertmanager is not configured (add 'alertmanager' to sluice.yml)")
        }
        let config = config
        return await receive(request, source: "alertmanager") { headers, body throws(HookError) in
            guard WebhookAuthentication.bearerMatches(
                authorization: headers[.authorization], token: alertmanager.bearerToken.revealed)
            else {
                throw HookError(
                    .unauthorized, "Authorization",
                    "the Authorization header must be 'Bearer <token>' with Alertmanager's token")
            }
            return try AlertmanagerHook.parse(body: body, projectOwningModel: { config.project(owningModel: $0)?.name })
        }
    }

    /// Reads the body within the limit, runs `understand` (authenticate, then parse), stores the
    /// result, and answers. The one place hook errors become HTTP statuses.
    private func receive(
        _ request: Request, source: String,
        understand: (HTTPFields, Data) throws(HookError) -> IncomingDelivery
    ) async -> Response {
        let limit = config.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return refuse(source, .contentTooLarge, "the body is \(length) bytes; the limit is \(limit)")
        }
        var request = request
        let body: Data
        do {
            body = Data(buffer: try await request.collectBody(upTo: limit))
        } catch is NIOTooManyBytesError {
            return refuse(source, .contentTooLarge, "the body is over the limit of \(limit) bytes")
        } catch {
            return refuse(source, .badRequest, "could not read the request body: \(error)")
        }
        let delivery: IncomingDelivery
        do {
            delivery = try understand(request.headers, body)
        } catch {
            return refuse(
                source, error.code == .unauthorized ? .unauthorized : .badRequest, error.message, field: error.detail)
        }
        let receipt: DeliveryReceipt
        do {
            receipt = try await store.record(delivery)
        } catch {
            logger.error("could not store a delivery", metadata: ["source": "\(source)", "error": "\(error)"])
            metrics.countDelivery(source: source, outcome: "unavailable")
            return JSONResponse.error(.serviceUnavailable, "the store is unavailable; retry the delivery later")
        }
        return answer(receipt, for: delivery)
    }

    private func answer(_ receipt: DeliveryReceipt, for delivery: IncomingDelivery) -> Response {
        switch receipt {
        case .accepted(let id, let triggers):
            metrics.countDelivery(source: delivery.source, outcome: "accepted")
            logger.info("delivery accepted", metadata: Self.metadata(delivery, id, ["triggers": "\(triggers.map(\.id))"]))
            let ids = triggers.map { String($0.id) }.joined(separator: ",")
            let first = triggers.first.map { String($0.id) } ?? "null"
            // Written out: this is the hot path, and every value is an integer.
            return JSONResponse.raw(.accepted, #"{"delivery":\#(id),"trigger":\#(first),"triggers":[\#(ids)]}"#)
        case .ignored(let id, let reason):
            metrics.countDelivery(source: delivery.source, outcome: "ignored")
            logger.info("delivery ignored: \(reason)", metadata: Self.metadata(delivery, id))
            return JSONResponse.make(.accepted, Ignored(delivery: id, ignored: reason))
        case .duplicate(let id, let original):
            metrics.countDelivery(source: delivery.source, outcome: "duplicate")
            logger.info("duplicate delivery", metadata: Self.metadata(delivery, id, ["original": "\(original)"]))
            return JSONResponse.raw(.ok, #"{"delivery":\#(original),"duplicate":true}"#)
        }
    }

    /// What every delivery log line carries; built only when the line is logged.
    private static func metadata(
        _ delivery: IncomingDelivery, _ id: Int64, _ extra: Logger.Metadata = [:]
    ) -> Logger.Metadata {
        var metadata = extra
        metadata["source"] = "\(delivery.source)"
        metadata["event"] = "\(delivery.event)"
        metadata["delivery"] = "\(id)"
        metadata["project"] = delivery.project.map { "\($0)" }
        return metadata
    }

    private func refuse(_ source: String, _ status: HTTPResponse.Status, _ message: String, field: String? = nil)
        -> Response
    {
        metrics.countDelivery(source: source, outcome: "refused")
        logger.notice("delivery refused: \(message)", metadata: ["source": "\(source)", "status": "\(status.code)"])
        return JSONResponse.error(status, message, field: field)
    }

    private struct Ignored: Encodable {
        let delivery: Int64
        let ignored: String
    }
}
