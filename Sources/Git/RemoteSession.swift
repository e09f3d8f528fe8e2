import CGit2

/// What one network operation (fetch, clone, push) shares with libgit2's remote callbacks.
///
/// Lives for a single blocking call on one thread; the callbacks reach it through an `Unmanaged`
/// payload while the caller holds it alive with `withExtendedLifetime`. The first failure a
/// callback sees is kept and thrown after libgit2 returns, in place of libgit2's own error.
final class RemoteSession {
    /// Credentials callbacks allowed per operation. libgit2 asks again after every rejection, so a
    /// wrong password would otherwise loop; a username probe plus two real attempts is enough.
    static let maxCredentialAttempts = 3

    let url: String
    let credentials: Credentials?
    let timeouts: NetworkTimeouts
    let progress: ((TransferProgress) -> Void)?
    let cancellation: Cancellation?
    private var credentialAttempts = 0
    private(set) var failure: GitError?
    private(set) var rejectedReferences: [String] = []

    init(
        url: String, credentials: Credentials?, timeouts: NetworkTimeouts,
        progress: ((TransferProgress) -> Void)? = nil, cancellation: Cancellation? = nil
    ) throws(GitError) {
        try Self.validate(url)
        self.url = url
        self.credentials = credentials
        self.timeouts = timeouts
        self.progress = progress
        self.cancellation = cancellation
    }

    var secrets: [String] { credentials?.secrets ?? [] }

    /// Runs a libgit2 call that uses `callbacks()`, mapping its failure to the most precise error.
    func perform(_ function: String, _ call: (git_remote_callbacks) -> Int32) throws(GitError) {
        let result = withExtendedLifetime(self) {
            timeouts.apply { call(callbacks()) }
        }
        if let failure { throw failure }
        if cancellation?.isCancelled == true {
            throw GitError(.cancelled, function: function, message: "cancelled")
        }
        try check(result, function, redacting: secrets)
        if !rejectedReferences.isEmpty {
            throw GitError(
                .rejectedPush, function: function,
                message: "the remote rejected " + rejectedReferences.joined(separator: ", "))
        }
    }

    /// Callbacks bound to this session; valid while the session is alive.
    func callbacks() -> git_remote_callbacks {
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.transfer_progress = Self.transferProgress
        callbacks.sideband_progress = Self.sidebandProgress
        callbacks.push_update_reference = Self.pushUpdateReference
        if credentials != nil { callbacks.credentials = Self.acquireCredential }
        return callbacks
    }

    /// A URL with a password in it would land in `.git/config`; credentials go in `Credentials`.
    private static func validate(_ url: String) throws(GitError) {
        guard let schemeEnd = url.range(of: "://") else { return }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
        if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
            throw GitError(
                .invalidInput, function: "remote URL",
                message: "the URL \(Redaction.scrub(url, secrets: [])) carries a password; "
                    + "pass it as credentials instead")
        }
    }

    private static func session(_ payload: UnsafeMutableRawPointer?) -> RemoteSession {
        Unmanaged<RemoteSession>.fromOpaque(payload!).takeUnretainedValue()
    }

    private func credential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, allowed: UInt32
    ) -> Int32 {
        credentialAttempts += 1
        guard credentialAttempts <= Self.maxCredentialAttempts, let credentials else {
            failure = GitError(
                .authentication, function: "credentials",
                message: "the server rejected the credentials for \(Redaction.scrub(url, secrets: secrets)) "
                    + "(\(Self.maxCredentialAttempts) attempts)")
            return GIT_EAUTH.rawValue
        }
        switch credentials {
        case .token(let token, let username):
            return git_credential_userpass_plaintext_new(out, username, token)
        case .password(let username, let password):
            return git_credential_userpass_plaintext_new(out, username, password)
        case .sshKey(let username, let privateKey, let publicKey, let passphrase):
            if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 { return git_credential_username_new(out, username) }
            return git_credential_ssh_key_new(out, username, publicKey?.path, privateKey.path, passphrase)
        case .sshAgent(let username):
            if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 { return git_credential_username_new(out, username) }
            return git_credential_ssh_key_from_agent(out, username)
        }
    }

    private var shouldStop: Bool { cancellation?.isCancelled == true }

    private static let acquireCredential: git_credential_acquire_cb = { out, _, _, allowed, payload in
        session(payload).credential(out, allowed: allowed)
    }

    private static let transferProgress: git_indexer_progress_cb = { stats, payload in
        let session = session(payload)
        if let stats, let progress = session.progress {
            progress(
                TransferProgress(
                    totalObjects: Int(stats.pointee.total_objects),
                    receivedObjects: Int(stats.pointee.received_objects),
                    indexedObjects: Int(stats.pointee.indexed_objects),
                    receivedBytes: Int(stats.pointee.received_bytes)))
        }
        return session.shouldStop ? GIT_EUSER.rawValue : 0
    }

    private static let sidebandProgress: git_transport_message_cb = { _, _, payload in
        session(payload).shouldStop ? GIT_EUSER.rawValue : 0
    }

    private static let pushUpdateReference: git_push_update_reference_cb = { reference, status, payload in
        if let status, let reference {
            session(payload).rejectedReferences.append("\(String(cString: reference)) (\(String(cString: status)))")
        }
        return 0
    }
}
