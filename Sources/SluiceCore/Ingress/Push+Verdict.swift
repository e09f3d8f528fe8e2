extension Push {
    /// What a forge's push means: accepted as one trigger keyed `key`, or ignored when the ref is
    /// neither a branch nor a tag, or is a branch the project does not watch. Shared by the GitHub
    /// and GitLab parsers, which differ only in how they read the push's fields.
    static func verdict(
        ref: String, project: String, key: String, watchesBranch: (String) -> Bool, build: (RefKind) -> Push
    ) -> IncomingDelivery.Verdict {
        let refKind: RefKind
        if ref.hasPrefix("refs/heads/") {
            refKind = .branch
        } else if ref.hasPrefix("refs/tags/") {
            refKind = .tag
        } else {
            return .ignored(reason: "push to \(ref), which is neither a branch nor a tag")
        }
        let push = build(refKind)
        if refKind == .branch, !watchesBranch(push.name) {
            return .ignored(reason: "push to branch \(push.name), which project \(project) does not watch")
        }
        return .accepted([KeyedTrigger(.push(push), dedupeKey: key)])
    }
}
