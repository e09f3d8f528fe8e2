import CodedErrors

/// Why a model artifact cannot be hashed into, stored in or read from the registry, naming the path at fault.
///
/// Most cases are something the user's train step must change: write the artifact, keep its
/// symlinks inside `$SLUICE_OUTPUT`, leave no FIFOs or sockets in it. Refusing these keeps the
/// content-addressed store from ever holding, or pointing at, bytes from outside the run. The
/// store's own cases (`unwritable`, `corrupt`, `bucket`) are the operator's to fix: free disk, restore a blob.
///
/// `detail` is the path at fault, as the artifact path plus the entry's path inside it.
public typealias ArtifactError = CodedError<ArtifactStore, String>

extension ErrorCode<ArtifactStore> {
    /// Nothing exists at the artifact path (or at the output directory itself).
    public static var missing: Self { Self("missing") }
    /// The artifact, or a symlink in it, resolves to a place outside the output directory.
    static var outsideRoot: Self { Self("outside root") }
    /// A symlink whose target does not exist or loops, so where it points cannot be known.
    static var brokenSymlink: Self { Self("broken symlink") }
    /// A FIFO, socket or device: not content that can be stored.
    static var specialFile: Self { Self("special file") }
    /// A name with a line break, which the one-line-per-file manifest cannot hold.
    static var unsupportedName: Self { Self("unsupported name") }
    /// The file system refused a read (permissions, I/O error, too many open files).
    static var unreadable: Self { Self("unreadable") }
    /// The artifact store could not write, sync or rename a blob (disk full, permissions).
    static var unwritable: Self { Self("unwritable") }
    /// A stored blob whose bytes no longer hash to its name: never served, never trusted.
    static var corrupt: Self { Self("corrupt") }
    /// The artifact bucket (`artifacts.s3`) refused a request or could not be reached.
    static var bucket: Self { Self("bucket") }
}
