import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A loopback stand-in for GitHub's or GitLab's REST API: commit statuses and pull-request
/// comments, checked the way the real APIs check them, and recorded for the test to read.
///
/// It refuses a wrong or missing token with 401, an unknown state with 422 (GitHub) or 400
/// (GitLab), a GitHub status description over 140 characters and a comment over the forge's
/// limit with 422, and answers 404 for any other path. `failNext` makes the next requests
/// answer 502, as a forge outage does.
public final class FakeForge: Sendable {
    public enum Flavor: Sendable {
        /// GitHub: `Authorization: Bearer TOKEN`, `/repos/OWNER/REPO/...`.
        case github
        /// GitLab: `PRIVATE-TOKEN: TOKEN`, `/projects/GROUP%2FPROJECT/...`.
        case gitlab
    }

    /// One request the fake took, as it arrived.
    public struct Request: Sendable, Hashable {
        public var method: String
        /// The raw path, percent-encoding kept.
        public var path: String
        public var body: [String: String]
    }

    /// A commit status as the fake holds it.
    public struct Status: Sendable, Hashable {
        public var commit: String
        public var state: String
        public var context: String
        public var description: String
        public var targetURL: String?
    }

    /// A comment on a pull request (GitLab: a note on a merge request).
    public struct Comment: Sendable, Hashable {
        public var id: Int
        public var pullRequest: Int
        public var body: String
    }

    private struct State {
        var requests: [Request] = []
        var statuses: [Status] = []
        var comments: [Comment] = []
        var failuresLeft = 0
        var nextID = 1000
    }

    public let flavor: Flavor
    public let token: String
    /// `owner/repo` or `group/project`.
    public let repository: String
    private let state = Mutex(State())

    public init(_ flavor: Flavor, repository: String = "acme/churn", token: String = "forge-token-7f3a") {
        self.flavor = flavor
        self.repository = repository
        self.token = token
    }

    public var requests: [Request] { state.withLock { $0.requests } }
    public var statuses: [Status] { state.withLock { $0.statuses } }
    public var comments: [Comment] { state.withLock { $0.comments } }

    /// The statuses posted on `commit`, oldest first.
    public func statuses(of commit: String) -> [Status] { statuses.filter { $0.commit == commit } }

    /// The next `count` requests answer 502 Bad Gateway.
    public func failNext(_ count: Int) {
        state.withLock { $0.failuresLeft = count }
    }

    /// Serves the fake on 127.0.0.1 for the duration of `body`, which gets its base URL
    /// (`http://127.0.0.1:PORT`, GitLab's with `/api/v4`).
    public func serve<T: Sendable>(_ body: (_ apiURL: String) async throws -> T) async throws -> T {
        try await LoopbackServer.run { router in
            for method in [HTTPRequest.Method.get, .post, .patch, .put] {
                router.on("**", method: method) { request, _ -> Response in
                    var request = request
                    let bytes = try await request.collectBody(upTo: 2 << 20)
                    return self.answer(
                        method: request.method.rawValue, path: request.uri.path, headers: request.headers,
                        body: Data(buffer: bytes))
                }
            }
        } _: { baseURL in
            try await body(baseURL + (flavor == .gitlab ? "/api/v4" : ""))
        }
    }

    private func answer(method: String, path: String, headers: HTTPFields, body data: Data) -> Response {
        let body = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?.compactMapValues { "\($0)" } ?? [:]
        let failing = state.withLock { state -> Bool in
            state.requests.append(Request(method: method, path: path, body: body))
            guard state.failuresLeft > 0 else { return false }
            state.failuresLeft -= 1
            return true
        }
        if failing { return Self.json(.badGateway, ["message": "Bad Gateway"]) }
        guard isAuthorized(headers) else {
            return Self.json(.unauthorized, flavor == .github ? ["message": "Bad credentials"] : ["message": "401 Unauthorized"])
        }
        switch flavor {
        case .github: return github(method: method, path: path, body: body)
        case .gitlab: return gitlab(method: method, path: path, body: body)
        }
    }

    private func isAuthorized(_ headers: HTTPFields) -> Bool {
        switch flavor {
        case .github: headers[.authorization] == "Bearer \(token)"
        case .gitlab: headers[HTTPField.Name("PRIVATE-TOKEN")!] == token
        }
    }

    private func github(method: String, path: String, body: [String: String]) -> Response {
        let parts = path.split(separator: "/").map(String.init)
        let prefix = ["repos"] + repository.split(separator: "/").map(String.init)
        guard parts.starts(with: prefix) else { return Self.json(.notFound, ["message": "Not Found"]) }
        let rest = Array(parts.dropFirst(prefix.count))
        switch (method, rest.count, rest.first) {
        case ("POST", 2, "statuses"):
            guard let state = body["state"], ["error", "failure", "pending", "success"].contains(state) else {
                return Self.json(.unprocessableContent, ["message": "Validation Failed"])
            }
            let description = body["description"] ?? ""
            guard description.count <= 140 else {
                return Self.json(.unprocessableContent, ["message": "Validation Failed: description is too long (maximum is 140 characters)"])
            }
            record(Status(commit: rest[1], state: state, context: body["context"] ?? "default", description: description, targetURL: body["target_url"]))
            return Self.json(.created, ["state": state])
        case ("GET", 3, "issues") where rest[2] == "comments":
            return listComments(of: Int(rest[1]) ?? 0, query: path)
        case ("POST", 3, "issues") where rest[2] == "comments":
            return addComment(to: Int(rest[1]) ?? 0, body: body, limit: 65_536)
        case ("PATCH", 3, "issues") where rest[1] == "comments":
            return editComment(Int(rest[2]) ?? 0, body: body, limit: 65_536)
        default:
            return Self.json(.notFound, ["message": "Not Found"])
        }
    }

    private func gitlab(method: String, path: String, body: [String: String]) -> Response {
        let encoded = repository.replacingOccurrences(of: "/", with: "%2F")
        let prefix = "/api/v4/projects/\(encoded)/"
        guard path.hasPrefix(prefix) else { return Self.json(.notFound, ["message": "404 Project Not Found"]) }
        let rest = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        switch (method, rest.count, rest.first) {
        case ("POST", 2, "statuses"):
            guard let state = body["state"], ["pending", "running", "success", "failed", "canceled"].contains(state) else {
                return Self.json(.badRequest, ["error": "state does not have a valid value"])
            }
            let context = body["name"] ?? body["context"] ?? "default"
            if statuses.last(where: { $0.commit == rest[1] && $0.context == context })?.state == state {
                return Self.json(.badRequest, ["message": "Cannot transition status via :run from :running"])
            }
            record(Status(commit: rest[1], state: state, context: context, description: body["description"] ?? "", targetURL: body["target_url"]))
            return Self.json(.created, ["status": state])
        case ("GET", 3, "merge_requests") where rest[2] == "notes":
            return listComments(of: Int(rest[1]) ?? 0, query: path)
        case ("POST", 3, "merge_requests") where rest[2] == "notes":
            return addComment(to: Int(rest[1]) ?? 0, body: body, limit: 1_000_000)
        case ("PUT", 4, "merge_requests") where rest[2] == "notes":
            return editComment(Int(rest[3]) ?? 0, body: body, limit: 1_000_000)
        default:
            return Self.json(.notFound, ["message": "404 Not Found"])
        }
    }

    private func record(_ status: Status) {
        state.withLock { $0.statuses.append(status) }
    }

    private func listComments(of pullRequest: Int, query: String) -> Response {
        let comments = state.withLock { $0.comments }.filter { $0.pullRequest == pullRequest }
        let list = comments.map { ["id": $0.id, "body": $0.body] as [String: Any] }
        return Self.json(.ok, list)
    }

    private func addComment(to pullRequest: Int, body: [String: String], limit: Int) -> Response {
        guard let text = Self.commentText(body, limit: limit) else { return Self.commentRefused }
        let id = state.withLock { state -> Int in
            state.nextID += 1
            state.comments.append(Comment(id: state.nextID, pullRequest: pullRequest, body: text))
            return state.nextID
        }
        return Self.json(.created, ["id": id, "body": text])
    }

    private func editComment(_ id: Int, body: [String: String], limit: Int) -> Response {
        guard let text = Self.commentText(body, limit: limit) else { return Self.commentRefused }
        let found = state.withLock { state -> Bool in
            guard let index = state.comments.firstIndex(where: { $0.id == id }) else { return false }
            state.comments[index].body = text
            return true
        }
        return found ? Self.json(.ok, ["id": id, "body": text]) : Self.json(.notFound, ["message": "Not Found"])
    }

    /// A comment body both APIs take: present, not empty, at most `limit` characters.
    private static func commentText(_ body: [String: String], limit: Int) -> String? {
        guard let text = body["body"], !text.isEmpty, text.count <= limit else { return nil }
        return text
    }

    private static var commentRefused: Response {
        json(.unprocessableContent, ["message": "Validation Failed: body is too long or empty"])
    }

    private static func json(_ status: HTTPResponse.Status, _ value: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
