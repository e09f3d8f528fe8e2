/// What committing the working tree produced. "Nothing changed" is a result, not an error.
public enum CommitOutcome: Sendable, Hashable {
    case committed(ObjectID)
    /// The tree equals the parent commit's tree; no commit was made.
    case unchanged
}
