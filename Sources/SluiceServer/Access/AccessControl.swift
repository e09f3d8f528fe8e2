import Hummingbird
import SluiceCore

/// Decides, per route, whether the caller ``CallerAuthenticator`` found may go on, with the
/// answer a refused caller gets: 401 with `WWW-Authenticate` and a JSON body saying which
/// credential to send, 403 saying which role is needed, or, for a page, the sign-in page.
///
/// With `auth` configured, every route but those marked ``Access/open`` needs a credential.
/// Without it, routes are open (the server warns when it starts) except decisions on
/// promotions, which need to know who decides; `/metrics` follows `metrics` whenever that is set.
struct AccessControl: Sendable {
    let auth: AuthConfig?
    let metrics: MetricsConfig?

    /// A group of `router` whose routes all need `access`.
    func routes(_ access: Access, on router: Router<SluiceRequestContext>) -> RouterGroup<SluiceRequestContext> {
        router.group().add(middleware: Middleware(access: access, control: self))
    }

    /// What the caller of `request` gets: to go on, or this answer.
    func refusal(of access: Access, _ request: Request, _ context: SluiceRequestContext) -> Response? {
        let caller = context.identity
        switch access {
        case .open:
            return nil
        case .metrics:
            switch caller {
            case .metricsScraper, .person: return nil
            case .artifactReader, nil: break
            }
            if let address = context.remoteAddress?.ipAddress, metrics?.allow.contains(where: { $0.contains(address) }) == true {
                return nil
            }
            return metrics == nil && auth == nil ? nil : Self.unauthorized("send the metrics token (metrics.token_env) or an API token as Authorization: Bearer <token>, or scrape from an address in metrics.allow")
        case .artifacts:
            switch caller {
            case .artifactReader, .person: return nil
            case .metricsScraper, nil:
                return auth == nil ? nil : Self.unauthorized("send the artifact token (auth.artifact_token_env) or an API token as Authorization: Bearer <token>")
            }
        case .api(let role):
            guard let auth else {
                return role >= .releaseManager
                    ? JSONResponse.error(.forbidden, "decisions need to know who decides: configure auth.tokens_env and send a \(role.rawValue) token")
                    : nil
            }
            guard let person = caller?.person else {
                return Self.unauthorized("send a token from \(auth.tokensVariable) (auth.tokens_env) as Authorization: Bearer <token>")
            }
            guard person.role >= role else {
                return JSONResponse.error(.forbidden, "\(person.login) has role \(person.role.rawValue); this needs \(role.rawValue) or above")
            }
            if case .session = person.credential, request.method != .get, request.method != .head {
                return JSONResponse.error(.forbidden, "a browser session only reads the API; send your API token as Authorization: Bearer <token>")
            }
            return nil
        case .page(let role):
            guard auth != nil else {
                return role >= .releaseManager ? Self.page(.forbidden, "This server has no auth section, so nobody can decide from the web.") : nil
            }
            guard let person = caller?.person else {
                return Response(status: .seeOther, headers: [.location: "/sign-in"])
            }
            guard person.role >= role else {
                return Self.page(.forbidden, "\(person.login) has role \(person.role.rawValue); this needs \(role.rawValue) or above.")
            }
            return nil
        }
    }

    private static func unauthorized(_ message: String) -> Response {
        var response = JSONResponse.error(.unauthorized, message)
        response.headers[.wwwAuthenticate] = #"Bearer realm="sluice""#
        return response
    }

    /// A bare page for a refusal the page templates do not cover.
    private static func page(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "<!doctype html><title>Refused</title><p>\(message.markupEscaped)</p>\n")))
    }

    /// The middleware that applies one ``Access`` to a group of routes.
    struct Middleware: RouterMiddleware {
        typealias Context = SluiceRequestContext

        let access: Access
        let control: AccessControl

        func handle(
            _ request: Request, context: Context, next: (Request, Context) async throws -> Response
        ) async throws -> Response {
            if let refusal = control.refusal(of: access, request, context) { return refusal }
            return try await next(request, context)
        }
    }
}
