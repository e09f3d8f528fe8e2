import Crypto
import Foundation
import Git

/// What makes two runs train the same model: equal keys mean the earlier run's artifact and
/// metrics stand for the later one.
///
/// The key is the sha256 of a small text naming the project and the run's trust, the git tree
/// (or blob) id of every input path, the digest of every data input, and the digest of the whole
/// spec (canonical JSON), which holds the step commands, their environments and the artifact
/// path. Paths outside `inputs.paths` (a README) do not change it; that is the point of declaring
/// inputs. Project and trust keep the cache from crossing them: another project's run, or a
/// fork's sandboxed one, never stands for a trusted run's training, nor the other way round.
public enum RunCacheKey {
    /// Blocks its thread (reads the repository).
    public static func compute(
        spec: PipelineSpec, repository: Repository, commit: ObjectID, data: [DataCache.Entry], project: String?,
        trusted: Bool
    ) throws(RunError) -> String {
        var text = "sluice run cache v2\nproject \(project ?? "-")\ntrust \(trusted ? "trusted" : "untrusted")\n"
        let paths = spec.inputs.paths.isEmpty ? [""] : spec.inputs.paths.map(PipelineSpec.Inputs.normalized).sorted()
        do {
            for path in paths {
                let id = try repository.objectID(at: path, in: commit)
                text += "path \(path) \(id?.hex ?? "absent")\n"
            }
        } catch {
            throw RunError(.workspace, "could not read the input paths of \(commit): \(error)")
        }
        for entry in data.sorted(by: { $0.name < $1.name }) {
            text += "data \(entry.name) \(entry.sha256)\n"
        }
        text += "spec \(spec.digest)\n"
        return Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }
}
