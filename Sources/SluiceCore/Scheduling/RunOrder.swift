/// One run a trigger asks for, before it starts: which commit of which project, in what trust,
/// and what happens after it.
struct RunOrder: Sendable {
    var project: ProjectConfig
    /// A commit id, or `refs/heads/BRANCH` for the release-branch head.
    var revision: String
    /// The branch the commit was pushed to (or the release branch it heads); a passing run on
    /// the spec's `release_branch` registers its model and promotes it. Nil for pull requests.
    var branch: String?
    var comparedWith: RunRequest.Comparison
    var trusted: Bool = true
    var dataArrival: DataArrival?
    var reuseCache: Bool = true
    /// Where the run is reported; nil for data arrivals and alerts (no person waits on a commit).
    var report: ReportTarget?
    /// The commit's spec, when deciding to run it meant reading it (a release head).
    var spec: PipelineSpec?
}
