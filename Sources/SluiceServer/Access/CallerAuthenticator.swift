import Hummingbird
import HummingbirdAuth
import SluiceCore

/// Finds the caller of every request, once, before any route runs: a bearer token (an API token,
/// the artifact token or the metrics token, each compared in constant time) or the web UI's
/// session, which `SessionMiddleware` loaded from its cookie. It decides nothing;
/// ``AccessMiddleware`` does, per route. A credential that matches nothing leaves the caller
/// unknown, which every protected route answers with 401.
struct CallerAuthenticator: AuthenticatorMiddleware {
    typealias Context = SluiceRequestContext

    let auth: AuthConfig?
    let metrics: MetricsConfig?

    func authenticate(request: Request, context: Context) async throws -> Caller? {
        if let bearer = request.headers.bearer?.token {
            if let token = auth?.token(matching: bearer) {
                return .person(Caller.Person(login: token.name, role: token.role, credential: .token))
            }
            if auth?.artifactToken?.isEqual(toPresented: bearer) == true { return .artifactReader }
            if metrics?.token?.isEqual(toPresented: bearer) == true { return .metricsScraper }
            return nil
        }
        guard auth != nil, let session = context.sessions.session else { return nil }
        return .person(Caller.Person(login: session.login, role: session.role, credential: .session(csrf: session.csrf)))
    }
}
