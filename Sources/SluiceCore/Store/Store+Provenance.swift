import Foundation

extension Store {
    /// Who brought `commit` of `project` and which pull request it merges, from the deliveries
    /// that named it: each push whose head it is (its pusher and the head's forge-verified
    /// author), and the pull request it is the merge of (its merge commit, its head, or the head
    /// of another parent of a merge commit), with everyone its deliveries name and the run that
    /// gated its head. `mergedHeads` are the commit's parents after the first.
    func provenance(
        of commit: String, in project: String, mergedHeads: [String]
    ) async throws(StoreError) -> ModelVersion.Provenance {
        try await read("find who brought \(commit.prefix(12))") { db in
            let pushes = try Self.triggers(of: project, kind: .push, naming: [commit], db).compactMap { trigger -> Push? in
                guard case .push(let push) = trigger, push.after == commit else { return nil }
                return push
            }
            var logins = pushes.flatMap { [$0.pusher, $0.headAuthor].compactMap { $0 } }
            let merged = try Self.triggers(of: project, kind: .pullRequest, naming: [commit] + mergedHeads, db)
                .compactMap { trigger -> PullRequest? in
                    guard case .pullRequest(let pullRequest) = trigger else { return nil }
                    let merges = pullRequest.mergeCommitSHA == commit || pullRequest.headSHA == commit
                        || mergedHeads.contains(pullRequest.headSHA)
                    return merges ? pullRequest : nil
                }.last
            var provenance = ModelVersion.Provenance()
            if let merged {
                let lane = Trigger.lane(ofPullRequest: merged.number, in: project)
                for payload in try db.values(String.self, "SELECT payload FROM triggers WHERE lane = ?", [lane]) {
                    if case .pullRequest(let event) = try JSONDecoder().decode(Trigger.self, from: Data(payload.utf8)),
                        let author = event.author
                    {
                        logins.append(author)
                    }
                }
                provenance.pullRequest = merged.number
                provenance.pullRequestRun = try db.value(
                    Int64.self,
                    """
                    SELECT id FROM runs WHERE project = ? AND commit_id = ? AND branch IS NULL
                      AND state IN ('passed', 'gate_failed') ORDER BY id DESC LIMIT 1
                    """,
                    [project, merged.headSHA]
                ).map(Run.ID.init(_:))
            }
            var seen: Set<String> = []
            provenance.broughtBy = logins.filter { seen.insert($0.lowercased()).inserted }
            return provenance
        }
    }

    /// The stored triggers of `kind` for `project` whose payload names any of `commits`.
    private static func triggers(
        of project: String, kind: Trigger.Kind, naming commits: [String], _ db: any StoreConnection
    ) throws -> [Trigger] {
        guard !commits.isEmpty else { return [] }
        let naming = Array(repeating: "payload LIKE ?", count: commits.count).joined(separator: " OR ")
        let arguments: [any SQLValueConvertible] = [project, kind.rawValue] + commits.map { "%\($0)%" }
        return try db.values(
            String.self, "SELECT payload FROM triggers WHERE project = ? AND kind = ? AND (\(naming)) ORDER BY id",
            SQLArguments(arguments)
        ).map { try JSONDecoder().decode(Trigger.self, from: Data($0.utf8)) }
    }
}
