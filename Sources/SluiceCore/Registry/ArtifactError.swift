/// Why a model artifact cannot be hashed into, stored in or read from the registry, naming the path at fault.
///
/// Most cases are something the user's train step must change: write the artifact, keep its
/// symlinks inside `$SLUICE_OUTPUT`, leave no FIFOs or sockets in it. Refusing these keeps the
/// content-addressed store from ever holding, or pointing at, bytes from outside the run. The
/// store's own cases (`unwritable`, `corrupt`) are the operator's to fix: free disk, restore a blob.
public struct ArtifactError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; an open set so new checks need no breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Nothing exists at the artifact path (or at the output directory itself).
        public static let missing = Code("missing")
        /// The artifact, or a symlink in it, resolves to a place outside the output directory.
        public static let outsideRoot = Code("outside root")
        /// A symlink whose target does not exist or loops, so where it points cannot be known.
        public static let brokenSymlink = Code("broken symlink")
        /// A FIFO, socket or device: not content that can be stored.
        public static let specialFile = Code("special file")
        /// A name with a line break, which the one-line-per-file manifest cannot hold.
        public static let unsupportedName = Code("unsupported name")
        /// The file system refused a read (permissions, I/O error, too many open files).
        public static let unreadable = Code("unreadable")
        /// The artifact store could not write, sync or rename a blob (disk full, permissions).
        public static let unwritable = Code("unwritable")
        /// A name that is not `sha256:` and 64 lower-case hex digits.
        public static let malformedDigest = Code("malformed digest")
        /// A stored blob whose bytes no longer hash to its name: never served, never trusted.
        public static let corrupt = Code("corrupt")
    }

    public let code: Code
    /// The path at fault, as the artifact path plus the entry's path inside it.
    public let path: String
    public let message: String

    public init(_ code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { message }
}
