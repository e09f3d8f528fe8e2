import Crypto
import Foundation
import Git

/// The deploy repository as Sluice writes it: one working clone per remote and branch under
/// `state_dir/deploy/`, each change written under a lock, committed only when it changes the
/// tree, and pushed, exactly once.
///
/// Exactly once, across crashes: every change carries an identity trailer, and before a commit
/// is made the remote branch (as last seen) is searched for it. The clone starts each attempt
/// from the remote as it last saw it, so a commit left behind by a crash before its push is
/// dropped; a push is a compare-and-swap on the remote branch, so a commit made on a stale view
/// is rejected, the clone fetches, and the search runs again on the fresh tip. A push that landed
/// just before a crash is thereby found instead of repeated. The happy path costs one push and
/// no fetch: after a successful push the clone is current unless someone else pushed.
///
/// The lock (`flock` on a file beside the clone) is taken per change, so `sluice serve` and a
/// `sluice approve` sharing a state directory never write the clone at the same time.
public struct DeployRepository: Sendable {
    /// Pushes tried before giving up while others keep pushing first.
    static let defaultMaxAttempts = 6

    /// The `deploy` section of the server config: remote, branch, manifest path, credentials.
    public let config: DeployConfig
    /// The working clone, `state_dir/deploy/<16 hex digits of the remote and branch>`.
    public let directory: URL
    public var credentials: Credentials?
    public var timeouts: NetworkTimeouts
    public var maxAttempts: Int
    /// What the backoff between pushes and the wait for the clone's lock run on.
    let clock: any WallClock

    private var remoteURL: String { config.repo }
    private var branch: String { config.branch }

    public init(
        config: DeployConfig, stateDirectory: URL, clock: any WallClock, timeouts: NetworkTimeouts = NetworkTimeouts()
    ) {
        self.config = config
        self.clock = clock
        let key = Hex.encode(SHA256.hash(data: Data("\(config.repo)\n\(config.branch)".utf8)).prefix(8))
        directory = stateDirectory.appendingPathComponent("deploy").appendingPathComponent(key)
        credentials = config.token.map { Credentials.token($0.revealed, username: config.username) }
        self.timeouts = timeouts
        maxAttempts = Self.defaultMaxAttempts
    }

    /// Writes `change`, and returns the remote commit that holds it.
    public func apply(_ change: ManifestChange) async throws(DeployError) -> DeployOutcome {
        try await apply(change) { $0 }
    }

    /// Writes `change`, then hands the outcome to `landed` while still holding the clone's lock,
    /// so what the caller records (an environment moving to a version) happens in the same order
    /// as the commits landed on the remote, even when several writers follow each other.
    public func apply<Recorded: Sendable>(
        _ change: ManifestChange, landed: (DeployOutcome) async -> Recorded
    ) async throws(DeployError) -> Recorded {
        let lockFile = directory.appendingPathExtension("lock")
        let lock: FileLock
        do {
            try FileManager.default.createDirectory(at: lockFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            lock = try await FileLock.acquire(lockFile, clock: clock)
        } catch {
            throw DeployError(.local, "\(error)")
        }
        defer { lock.release() }
        let (clone, fresh) = try await blocking { () throws(DeployError) in try openOrClone() }
        var current = fresh
        for attempt in 1...maxAttempts {
            let isCurrent = current
            let step = try await blocking { () throws(DeployError) in
                try Self.attempt(change, in: clone, current: isCurrent)
            }
            switch step {
            case .done(let outcome):
                return await landed(outcome)
            case .fetchFirst:
                break
            case .rejected:
                // Someone pushed first; wait a little, differently each time, so two writers
                // racing each other do not collide again in lockstep.
                await clock.pause(for: .milliseconds(Int.random(in: 20...100) * attempt))
            }
            try await blocking { () throws(DeployError) in
                try Self.mapped("fetch \(Self.label(remoteURL, branch))") { () throws(GitError) in try clone.fetch() }
            }
            current = true
        }
        throw DeployError(
            .contended,
            "\(Self.label(remoteURL, branch)) moved on before each of \(maxAttempts) pushes; the change will be tried again")
    }

    private enum Step: Sendable {
        case done(DeployOutcome)
        /// The clone may be stale and it matters: fetch, then try again.
        case fetchFirst
        /// The push lost a race with someone else's.
        case rejected
    }

    /// One try on the clone as it stands: search, write, commit if changed, push.
    /// `current` says whether the clone fetched since the lock was taken.
    private static func attempt(_ change: ManifestChange, in clone: WorkingRepository, current: Bool) throws(DeployError)
        -> Step
    {
        return try mapped("write \(change.path) to \(label(clone.remoteURL, clone.branch))") { () throws(GitError) -> Step in
            let tip = try clone.resetToLastSeenRemote()
            if let tip,
                let found = try clone.repository.newestCommit(
                    from: tip, carrying: change.identity, since: change.notBefore)
            {
                return .done(.alreadyApplied(found))
            }
            try clone.write(change.contents, to: change.path)
            switch try clone.commit(message: change.message, trailers: change.trailers, author: change.author) {
            case .unchanged:
                // "Already there" is only true of the remote as it is now.
                guard current, let tip else { return .fetchFirst }
                return .done(.unchanged(tip))
            case .committed(let commit):
                do throws(GitError) {
                    try clone.push()
                    return .done(.committed(commit))
                } catch where error.code == .rejectedPush {
                    return .rejected
                }
            }
        }
    }

    /// The clone, and whether it was just made (and so is current). A directory left half-made
    /// by a crash is replaced; a new clone is built beside it and renamed into place.
    private func openOrClone() throws(DeployError) -> (WorkingRepository, Bool) {
        let existing = WorkingRepository(
            directory: directory, remoteURL: remoteURL, branch: branch, credentials: credentials, timeouts: timeouts)
        if (try? existing.repository.defaultBranch()) == branch { return (existing, false) }
        let files = FileManager.default
        let staging = directory.deletingLastPathComponent()
            .appendingPathComponent(".\(directory.lastPathComponent).\(UUID().uuidString.prefix(8))")
        let clone = try Self.mapped("clone \(Self.label(remoteURL, branch))") { () throws(GitError) in
            try WorkingRepository.clone(
                from: remoteURL, branch: branch, into: staging, credentials: credentials, timeouts: timeouts)
        }
        do {
            if files.fileExists(atPath: directory.path) { try files.removeItem(at: directory) }
            try files.moveItem(at: clone.directory, to: directory)
        } catch {
            try? files.removeItem(at: staging)
            throw DeployError(.local, "cannot put the deploy clone at \(directory.path): \(error)")
        }
        return (existing, true)
    }

    private static func label(_ url: String, _ branch: String) -> String {
        "the deploy repository \(url) (branch \(branch))"
    }

    private static func mapped<T>(_ operation: String, _ body: () throws(GitError) -> T) throws(DeployError) -> T {
        do {
            return try body()
        } catch {
            let code: DeployError.Code =
                switch error.code {
                case .network: .unreachable
                case .authentication: .authentication
                case .invalidInput: .invalidChange
                case .rejectedPush: .contended
                default: .local
                }
            throw DeployError(code, "could not \(operation): \(error.message)")
        }
    }
}
