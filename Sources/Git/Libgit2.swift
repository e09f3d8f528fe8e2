import CGit2

/// Process-wide libgit2 set-up, done once before the first call into the library.
///
/// Owner validation is off because this module only opens repositories it created itself (mirrors
/// and working clones under the caller's state directory); with it on, a state directory restored
/// by another user fails with a misleading "safe.directory" message. The standard socket stream is
/// replaced by one with connect and read/write timeouts, which libgit2 1.5 lacks.
public enum Libgit2 {
    /// libgit2's version as `major.minor.revision`, for example `1.5.1`.
    public static var version: String {
        ensureInitialized()
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    static func ensureInitialized() {
        _ = initialization
    }

    private static let initialization: Void = {
        git_libgit2_init()
        sluice_git_set_owner_validation(0)
        var registration = git_stream_registration()
        registration.version = GIT_STREAM_VERSION
        registration.`init` = NetworkTimeouts.streamConstructor
        git_stream_register(GIT_STREAM_STANDARD, &registration)
    }()
}
