import Hummingbird
import HummingbirdAuth
import NIOCore

/// The request context of every route: the web UI session its cookie names, who the caller is
/// (found once, by ``CallerAuthenticator``) and where the request came from (for `/metrics`'
/// allow-list).
public struct SluiceRequestContext: AuthRequestContext, SessionRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let sessions = SessionContext<UISession>()
    public var identity: Caller?
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The caller's forge login, for the records of what they did; `anonymous` when the server
    /// has no `auth` section and so cannot know.
    var login: String { identity?.person?.login ?? "anonymous" }
}
