import Crypto
import Foundation
import Git

/// What makes two runs train and judge the same model: equal keys mean the earlier run's
/// artifact, metrics and step verdicts stand for the later one.
///
/// The key is the sha256 of a small text naming the project and the run's trust, the git tree id
/// of the whole commit, the digest of every data input and of the Python environment (which names
/// the interpreter, so an upgraded Python trains again), and the digest of the whole spec
/// (canonical JSON), which holds the step commands, their environments and the artifact path.
/// The whole tree, not only `inputs.paths`: every step reads the whole export, so a changed test
/// under `tests/` must run its step again; `inputs.paths` decides only whether a push is worth a
/// run at all. Project and trust keep the cache from crossing them: another project's run, or a
/// fork's sandboxed one, never stands for a trusted run's training, nor the other way round.
enum RunCacheKey {
    /// Blocks its thread (reads the repository).
    static func compute(
        spec: PipelineSpec, repository: Repository, commit: ObjectID, data: [DataCache.Entry], environment: Digest?,
        project: String?,
        trusted: Bool
    ) throws(RunError) -> Digest {
        var text = "sluice run cache v3\nproject \(project ?? "-")\ntrust \(trusted ? "trusted" : "untrusted")\n"
        let tree: ObjectID?
        do {
            tree = try repository.objectID(at: "", in: commit)
        } catch {
            throw RunError(.workspace, "could not read the tree of \(commit): \(error)")
        }
        text += "tree \(tree?.hex ?? "absent")\n"
        for entry in data.sorted(by: { $0.name < $1.name }) {
            text += "data \(entry.name) \(entry.digest.hex)\n"
        }
        if let environment { text += "environment \(environment)\n" }
        text += "spec \(spec.digest)\n"
        return Digest(SHA256.hash(data: Data(text.utf8)))
    }
}
