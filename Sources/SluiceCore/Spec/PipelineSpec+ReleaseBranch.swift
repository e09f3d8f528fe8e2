import Git

extension PipelineSpec {
    /// What to tell a user whose `release_branch` is not a branch of the repository (Debian's
    /// `git init` makes `master`, the starter says `main`): every run then only gates, and nothing
    /// is ever registered or promoted. Nil when the branch exists. Blocks its thread.
    public func missingReleaseBranch(in repository: Repository) -> String? {
        guard let branches = try? repository.branches(), !branches.contains(releaseBranch) else { return nil }
        let has = branches.isEmpty ? "" : " (its branches: \(branches.joined(separator: ", ")))"
        let rename = branches.first.map { "rename yours (git branch -m \($0) \(releaseBranch)) or " } ?? ""
        return "release_branch '\(releaseBranch)' is not a branch of this repository\(has), so runs only gate and "
            + "nothing is registered or promoted: \(rename)set release_branch in \(Self.fileName)"
    }
}
