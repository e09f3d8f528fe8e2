extension PipelineSpec {
    /// Parses and validates the text of a repository's `.sluice.yml`; `file` is the name used in
    /// problems.
    ///
    /// Every problem in the file is reported at once, sorted by position, so one push can fix them
    /// all; a run whose spec does not parse stops before any of the repository's code executes.
    public static func parse(yaml: String, file: String = PipelineSpec.fileName) throws(SpecError) -> PipelineSpec {
        var decoder = SpecDecoder(file: file)
        if let spec = decoder.decode(yaml), decoder.problems.isEmpty {
            return spec
        }
        throw SpecError(problems: decoder.sortedProblems)
    }
}
