extension PipelineSpec.Inputs {
    /// Whether any of `changedPaths` (repository-relative, as git reports them) is one the spec
    /// reads. An entry ending in `/` is a folder and covers everything under it; any other entry
    /// is a file, or a folder written without the slash. No entries means every path counts.
    func isTouched(by changedPaths: [String]) -> Bool {
        guard !paths.isEmpty else { return !changedPaths.isEmpty }
        let entries = paths.map(Self.normalized)
        return changedPaths.contains { changed in
            entries.contains { entry in
                entry.isEmpty || changed == entry || changed.hasPrefix(entry.hasSuffix("/") ? entry : entry + "/")
            }
        }
    }

    /// Without a leading `./`; `.` and `./` become the empty entry, the whole repository.
    static func normalized(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        return path == "." ? "" : String(path)
    }
}
