/// Where run steps execute.
///
/// Only `local` (child processes on this host) exists today; the key is in the config now so that
/// adding a remote executor later does not change the meaning of existing files.
public enum ExecutorKind: String, Sendable, Hashable, CaseIterable {
    case local
}
