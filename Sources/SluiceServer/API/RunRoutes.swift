import Foundation
import Hummingbird
import SluiceCore

/// Runs: for viewers `GET /api/v1/runs[?limit=N]`, `GET /api/v1/runs/{id}` (the run with its
/// steps) and `GET /api/v1/runs/{id}/steps/{step}/log[?offset=BYTES]` (a step's log from a byte
/// offset, so a client follows a running step by asking again from where it stopped); for
/// engineers `POST /api/v1/projects/{project}/runs` (run a branch head or a commit),
/// `POST /api/v1/runs/{id}/cancel` and `POST /api/v1/runs/{id}/retry`.
enum RunRoutes {
    /// The most runs one listing returns.
    static let maxLimit = 500
    /// The most log bytes one answer carries; a client asks again from where it stopped.
    static let maxLogBytes = 1 << 20

    /// A run and its steps as far as they went.
    struct RunDetail: Encodable {
        let run: Run
        let steps: [RunStep]
    }

    static func add(
        reads router: RouterGroup<SluiceRequestContext>, actions: RouterGroup<SluiceRequestContext>, store: Store,
        config: ServerConfig
    ) {
        addActions(to: actions, store: store, config: config)
        let stateDirectory = config.stateDirectory
        router.get("api/v1/runs") { request, _ -> Response in
            let limit = try request.wholeNumber("limit", in: 1...maxLimit, otherwise: 50)
            do {
                return JSONResponse.make(.ok, try await store.runs(limit: limit))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
        router.get("api/v1/runs/:id") { _, context -> Response in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                return JSONResponse.error(.badRequest, "a run id is a number, as in /api/v1/runs/12", field: "id")
            }
            do {
                guard let run = try await store.run(Run.ID(id)) else {
                    return JSONResponse.error(.notFound, "there is no run \(id)")
                }
                return JSONResponse.make(.ok, RunDetail(run: run, steps: try await store.steps(of: run.id)))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
        router.get("api/v1/runs/:id/steps/:step/log") { request, context -> Response in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                return JSONResponse.error(.badRequest, "a run id is a number, as in /api/v1/runs/12/steps/train/log", field: "id")
            }
            let step = context.parameters.get("step") ?? ""
            let offset = try request.wholeNumber("offset", in: 0...Int.max, otherwise: 0)
            let steps: [RunStep]
            do {
                steps = try await store.steps(of: Run.ID(id))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
            guard steps.contains(where: { $0.name == step }) else {
                return JSONResponse.error(.notFound, "run \(id) has no step '\(step)' (yet)")
            }
            let bytes = RunDirectory(stateDirectory: stateDirectory, run: Run.ID(id))
                .logBytes(of: step, from: offset, limit: maxLogBytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// The body of `POST /api/v1/projects/{project}/runs`.
    private struct RunOrderBody: Decodable {
        /// A branch name or a commit id.
        let revision: String
        /// Train again even on a run-cache hit.
        let retrain: Bool?
    }

    /// What an engineer's request queued.
    private struct Queued: Encodable {
        let delivery: Int64
        let trigger: Int64
    }

    private static func addActions(to router: RouterGroup<SluiceRequestContext>, store: Store, config: ServerConfig) {
        router.post("api/v1/projects/:project/runs") { request, context -> Response in
            let name = context.parameters.get("project") ?? ""
            guard let project = config.project(named: name) else {
                return JSONResponse.error(.notFound, "no project named '\(name)' is configured")
            }
            var request = request
            let buffer = try await request.collectBody(upTo: 16 << 10)
            guard let body = try? JSONDecoder().decode(RunOrderBody.self, from: Data(buffer: buffer)),
                !body.revision.isEmpty, !body.revision.contains(where: \.isWhitespace), !body.revision.hasPrefix("-")
            else {
                return JSONResponse.error(.badRequest, #"send a JSON body {"revision": "main"} (a branch or a commit id; "retrain": true to skip the run cache)"#, field: "revision")
            }
            return await queue(
                ManualRun(project: project.name, revision: body.revision, requestedBy: context.login, retrain: body.retrain ?? false),
                store: store)
        }
        router.post("api/v1/runs/:id/cancel") { _, context -> Response in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                return JSONResponse.error(.badRequest, "a run id is a number, as in /api/v1/runs/12/cancel", field: "id")
            }
            do {
                switch try await store.requestCancel(of: Run.ID(id), by: context.login) {
                case .requested:
                    return JSONResponse.make(.accepted, ["run": "\(id)", "cancel": "requested by \(context.login)"])
                case .notRunning(let state):
                    return JSONResponse.error(.conflict, "run \(id) is \(state.rawValue), not running; there is nothing to cancel")
                case .noSuchRun:
                    return JSONResponse.error(.notFound, "there is no run \(id)")
                }
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
        }
        router.post("api/v1/runs/:id/retry") { _, context -> Response in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                return JSONResponse.error(.badRequest, "a run id is a number, as in /api/v1/runs/12/retry", field: "id")
            }
            let found: Run?
            do {
                found = try await store.run(Run.ID(id))
            } catch {
                return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
            }
            guard let run = found else { return JSONResponse.error(.notFound, "there is no run \(id)") }
            guard let project = run.project, config.project(named: project) != nil else {
                return JSONResponse.error(.conflict, "run \(id) is not a run of a configured project; run it again with sluice run")
            }
            guard run.state != .running else {
                return JSONResponse.error(.conflict, "run \(id) is still running; cancel it first or wait for its end")
            }
            return await queue(
                ManualRun(
                    project: project, revision: run.commit, branch: run.branch, requestedBy: context.login, retrain: true,
                    retryOf: run.id),
                store: store)
        }
    }

    /// Stores the engineer's run as a delivery of its own, so it is queued, audited and carried
    /// out like a webhook's.
    private static func queue(_ run: ManualRun, store: Store) async -> Response {
        let delivery = IncomingDelivery(
            source: "api:\(run.requestedBy)", project: run.project, event: run.retryOf == nil ? "run" : "retry", deliveryKey: nil,
            verdict: .accepted([KeyedTrigger(.manual(run), dedupeKey: "api:\(UUID().uuidString)")]))
        do {
            switch try await store.record(delivery) {
            case .accepted(let delivery, let triggers):
                return JSONResponse.make(.accepted, Queued(delivery: delivery, trigger: triggers.first?.id ?? 0))
            case .ignored(let delivery, _), .duplicate(let delivery, _):
                return JSONResponse.error(.conflict, "delivery \(delivery) queued nothing")
            }
        } catch {
            return JSONResponse.error(.serviceUnavailable, "the store is unavailable: \(error)")
        }
    }
}
