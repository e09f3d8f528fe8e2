import Curl
import Foundation

/// The JSON-over-HTTPS plumbing both forges share: base URL, auth headers, error mapping and
/// the comment listing that finds Sluice's own comment by its marker.
struct ForgeAPI: Sendable {
    /// The most comments read looking for Sluice's own (100 per page).
    static let maxCommentPages = 30

    let http: HTTPClient
    /// `https://api.github.com`, `https://gitlab.example.com/api/v4`: no trailing slash.
    let baseURL: String
    /// Authentication and API-version headers; the token header is always secret.
    let headers: [HTTPHeader]
    /// `GitHub`, `GitLab`: how messages name the forge.
    let name: String

    /// A comment or note as both APIs list it.
    struct Comment: Decodable {
        let id: Int
        let body: String?
    }

    /// Sends `body` as JSON to `path` and returns the answer when it is 2xx or `isAcceptable`.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, json body: [String: String]? = nil,
        isAcceptable: (HTTPResponse) -> Bool = { _ in false }
    ) async throws(ForgeError) -> HTTPResponse {
        var headers = headers
        var data: Data?
        if let body {
            headers.append(HTTPHeader("Content-Type", "application/json"))
            data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        }
        let request = HTTPRequest(method: method, url: baseURL + path, headers: headers, body: data, timeout: .seconds(20))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as CurlError {
            throw ForgeError(.unreachable, "\(name) could not be reached for \(method) \(path): \(error.message)")
        } catch {
            throw ForgeError(.unreachable, "\(name) could not be reached for \(method) \(path): \(error)")
        }
        guard response.isSuccess || isAcceptable(response) else {
            throw ForgeError(
                .refused, response.status,
                "\(name) answered \(response.status) to \(method) \(path)\(Self.message(in: response).map { ": \($0)" } ?? "")")
        }
        return response
    }

    /// The id of the first comment listed at `path` whose body contains `marker`.
    func comment(containing marker: String, listedAt path: String) async throws(ForgeError) -> Int? {
        for page in 1...Self.maxCommentPages {
            let response = try await send(.get, "\(path)?per_page=100&page=\(page)")
            let comments: [Comment]
            do {
                comments = try JSONDecoder().decode([Comment].self, from: response.body)
            } catch {
                throw ForgeError(.unexpectedAnswer, response.status, "\(name) listed \(path) in an unknown form")
            }
            if let mine = comments.first(where: { $0.body?.contains(marker) == true }) { return mine.id }
            if comments.count < 100 { return nil }
        }
        return nil
    }

    /// The forge's own explanation in an error body: GitHub's `message`, GitLab's `message` or
    /// `error`, cut short.
    static func message(in response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else { return nil }
        let value = object["message"] ?? object["error"]
        let text = (value as? String) ?? value.flatMap { try? JSONSerialization.data(withJSONObject: $0) }
            .map { String(decoding: $0, as: UTF8.self) }
        return text.map { String($0.prefix(300)) }
    }
}
