import Foundation
import Hummingbird
import SluiceCore

/// `GET /api/v1/runs[?limit=N]`, `GET /api/v1/runs/{id}` (the run with its steps) and
/// `GET /api/v1/runs/{id}/steps/{step}/log[?offset=BYTES]` (a step's log from a byte offset, so
/// a client follows a running step by asking again from where it stopped).
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

    static func add<Context: RequestContext>(to router: Router<Context>, store: Store, stateDirectory: URL) {
        router.get("api/v1/runs") { request, _ -> Response in
            let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 50
            guard (1...maxLimit).contains(limit) else {
                return JSONResponse.error(.badRequest, "limit must be a number from 1 to \(maxLimit)", field: "limit")
            }
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
            guard let offset = request.uri.queryParameters.get("offset").map({ Int($0) }) ?? 0, offset >= 0 else {
                return JSONResponse.error(.badRequest, "offset must be a byte count of 0 or more", field: "offset")
            }
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
}
