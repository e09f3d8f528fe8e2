/// How untrusted steps (a fork's pull request) are isolated.
///
/// `auto` uses bubblewrap when it is installed and otherwise refuses untrusted runs; `none` is for
/// hosts where every contributor is trusted, and the server says so when it starts.
public enum SandboxMode: String, Sendable, Hashable, CaseIterable {
    case auto
    case bubblewrap
    case none
}
