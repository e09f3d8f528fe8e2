extension GateReport {
    /// The report as a pull-request comment: a verdict heading, one table row per check, and the
    /// reasons for any failure.
    ///
    /// Deterministic for a given report, so comments can be compared and golden-tested. Numbers
    /// are compact (`0.912`, `+0.002`, `+3 (+6.6667%)`), and names from the user's files are
    /// escaped so a `|` or `*` in a metric name cannot break GitHub's table or formatting.
    public var markdown: String {
        let mark = passed ? "✅ Gate passed" : "❌ Gate failed"
        let against = baselineLabel.map { " against \(Self.escaped($0))" } ?? " (no baseline yet)"
        var lines = ["### \(mark)\(against)", ""]
        guard !checks.isEmpty else {
            lines.append("The spec has no gate rules, so there was nothing to check.")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("| Metric | Rule | Candidate | Baseline | Δ | Result |")
        lines.append("| :-- | :-- | --: | --: | --: | :-- |")
        for check in checks {
            let cells = [
                Self.codeSpan(check.metric),
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
            .map { "- \(Self.codeSpan($0.metric)): \(Self.escaped($0.reason))" }
            .filter { seen.insert($0).inserted }
        if !failures.isEmpty {
            lines.append("")
            lines.append("**Why it failed**")
            lines.append("")
            lines.append(contentsOf: failures)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `name` as inline code that survives a table cell: a fence longer than any run of backticks
    /// inside, `|` escaped (GitHub splits cells before reading code spans), line breaks as spaces.
    private static func codeSpan(_ name: String) -> String {
        var longestRun = 0
        var run = 0
        for character in name {
            run = character == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        let padding = name.hasPrefix("`") || name.hasSuffix("`") ? " " : ""
        let body = name.replacing("|", with: "\\|").replacing("\r\n", with: " ").replacing("\n", with: " ")
            .replacing("\r", with: " ")
        return fence + padding + body + padding + fence
    }

    /// Text with the characters Markdown or HTML would act on escaped, for use after the start of
    /// a line. An `_` inside a word (`max_drop`) is left alone, since GitHub never reads it as
    /// emphasis, and so is a `<` that cannot start a tag.
    private static func escaped(_ text: String) -> String {
        let characters = Array(text)
        var result = ""
        for (offset, character) in characters.enumerated() {
            switch character {
            case "\\", "`", "*", "[", "]", "|", "~":
                result += "\\\(character)"
            case "<":
                // Only a `<` that could open a tag, comment or autolink: `0.78 < min 0.8` stays as is.
                let after = offset + 1 < characters.count ? characters[offset + 1] : " "
                result += after.isLetter || "/!?".contains(after) ? "\\<" : "<"
            case "_":
                let before = offset > 0 ? characters[offset - 1] : " "
                let after = offset + 1 < characters.count ? characters[offset + 1] : " "
                let inWord = (before.isLetter || before.isNumber) && (after.isLetter || after.isNumber)
                result += inWord ? "_" : "\\_"
            case "\n", "\r", "\r\n":
                result += " "
            default:
                result.append(character)
            }
        }
        return result
    }
}
