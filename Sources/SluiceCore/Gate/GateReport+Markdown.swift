extension GateReport {
    /// The report as a pull-request comment: a verdict heading, one table row per check, the
    /// reasons for any failure, and how the candidate loosened the replaced version's rules.
    ///
    /// Deterministic for a given report, so comments can be compared and golden-tested. Numbers
    /// are compact (`0.912`, `+0.002`, `+3 (+6.6667%)`), and names from the user's files are
    /// escaped so a `|` or `*` in a metric name cannot break GitHub's table or formatting.
    public var markdown: String {
        let mark = passed ? "✅ Gate passed" : "❌ Gate failed"
        let against = baselineLabel.map { " against \(Markdown.escaped($0))" } ?? " (no baseline yet)"
        var lines = ["### \(mark)\(against)", ""]
        if checks.isEmpty {
            lines.append("The spec has no gate rules, so there was nothing to check.")
        } else {
            lines += table
        }
        if !loosened.isEmpty {
            lines.append("")
            lines.append("**⚠️ Gate rules loosened**: this version needs approval in every environment, automatic ones too")
            lines.append("")
            lines.append(contentsOf: loosened.map { "- \(Markdown.escaped($0))" })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per check, then why any failed.
    private var table: [String] {
        var lines = ["| Metric | Rule | Candidate | Baseline | Δ | Result |"]
        lines.append("| :-- | :-- | --: | --: | --: | :-- |")
        for check in checks {
            let cells = [
                Markdown.codeSpan(check.metric),
                check.ruleText,
                check.candidate == nil ? "*\(check.candidateText)*" : check.candidateText,
                check.baselineText,
                check.deltaText,
                check.verdict == .fail ? "**\(check.verdict.label)**" : check.verdict.label,
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        var seen: Set<String> = []
        let failures = checks.filter { $0.verdict == .fail }
            .map { "- \(Markdown.codeSpan($0.metric)): \(Markdown.escaped($0.reason))" }
            .filter { seen.insert($0).inserted }
        if !failures.isEmpty {
            lines.append("")
            lines.append("**Why it failed**")
            lines.append("")
            lines.append(contentsOf: failures)
        }
        return lines
    }
}
