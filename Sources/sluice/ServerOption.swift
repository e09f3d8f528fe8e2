import ArgumentParser
import Curl
import Foundation

/// How a command reaches a running server's API, as `gh` and `argocd` do: the server's address
/// from `--server` or `SLUICE_URL`, and the caller's API token from `SLUICE_TOKEN` (never from
/// the command line, where other users of the machine could read it in the process list).
///
/// The token decides who acts: a decision is recorded as the forge login its entry in
/// `auth.tokens_env` names, so nobody can approve as somebody else.
struct ServerOption: ParsableArguments {
    static let urlVariable = "SLUICE_URL"
    static let tokenVariable = "SLUICE_TOKEN"

    @Option(name: .long, help: "The server's address, as in http://127.0.0.1:8080 (default: $SLUICE_URL).")
    var server: String?

    @Option(name: .customLong("as"), help: .hidden)
    var formerActor: String?

    func validate() throws {
        if formerActor != nil {
            throw ValidationError(
                "--as is gone: the server records whoever \(Self.tokenVariable) belongs to (the name of its entry in auth.tokens_env)")
        }
    }

    /// The connection, or exit status 2 saying which variable to set.
    func connection() throws -> ServerConnection {
        let environment = ProcessInfo.processInfo.environment
        guard var base = server ?? environment[Self.urlVariable], !base.isEmpty else {
            throw Self.usage("set \(Self.urlVariable) to the server's address (as in http://127.0.0.1:8080) or pass --server")
        }
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw Self.usage("\(Self.urlVariable) must be an http:// or https:// address, as in http://127.0.0.1:8080")
        }
        while base.hasSuffix("/") { base.removeLast() }
        let token = environment[Self.tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        return ServerConnection(base: base, token: token)
    }

    private static func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("sluice: \(message)\n".utf8))
        return ExitCode(2)
    }
}

/// One server's JSON API, called with the caller's token.
struct ServerConnection: Sendable {
    let base: String
    let token: String?
    private let http = HTTPClient(userAgent: "sluice-cli", retry: .none)

    init(base: String, token: String?) {
        self.base = base
        self.token = token
    }

    /// `method path` with `body` as JSON; the answer decoded as `T`, or exit status 1 after
    /// printing the server's reason (`command` names the command in the message).
    func call<T: Decodable>(
        _ method: HTTPMethod, _ path: String, body: [String: any Sendable]? = nil, as type: T.Type = T.self,
        command: String
    ) async throws -> T {
        var headers = [HTTPHeader("Accept", "application/json")]
        if let token { headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(token)", isSecret: true)) }
        var data: Data?
        if let body {
            headers.append(HTTPHeader("Content-Type", "application/json"))
            data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        }
        let response: HTTPResponse
        do {
            response = try await http.send(
                HTTPRequest(method: method, url: base + path, headers: headers, body: data, timeout: .seconds(300)))
        } catch {
            throw fail(command, "could not reach the server at \(base): \(error)")
        }
        guard response.isSuccess else {
            let reason = (try? JSONDecoder().decode(ErrorBody.self, from: response.body))?.error
                ?? String(decoding: response.body.prefix(500), as: UTF8.self)
            let hint = response.status == 401 && token == nil ? " (set \(ServerOption.tokenVariable) to your API token)" : ""
            throw fail(command, "\(reason)\(hint)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: response.body)
        } catch {
            throw fail(command, "the server answered in an unknown form: \(error)")
        }
    }

    /// Streams `GET path` into `destination` (replaced only once complete) and returns its
    /// size and SHA-256, or exit status 1 saying why (`command` names the command).
    func download(_ path: String, to destination: URL, command: String) async throws -> Download {
        var headers: [HTTPHeader] = []
        if let token { headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(token)", isSecret: true)) }
        do {
            return try await http.download(
                HTTPRequest(method: .get, url: base + path, headers: headers, timeout: .seconds(3600)), to: destination)
        } catch let error as CurlError where error.code == .httpStatus {
            let hint = switch error.httpStatus {
            case 401: token == nil ? " (set \(ServerOption.tokenVariable) to your API token)" : " (is \(ServerOption.tokenVariable) current?)"
            case 404: " (the server no longer stores it; sluice gc removes only unreferenced artifacts, so ask its operator)"
            default: ""
            }
            throw fail(command, "the server answered \(error.httpStatus ?? 0) for \(path)\(hint)")
        } catch {
            throw fail(command, "could not download \(path) from \(base): \(error)")
        }
    }

    /// `text` as one path segment of a URL.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_", "."])) ?? text
    }

    private struct ErrorBody: Decodable {
        let error: String
    }

    func fail(_ command: String, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("sluice \(command): \(message)\n".utf8))
        return ExitCode(1)
    }
}
