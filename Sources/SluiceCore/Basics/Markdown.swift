/// Text from users' files and comments, made safe to put into Markdown that a forge renders:
/// it shows as written and cannot add formatting, links, HTML or table cells.
enum Markdown {
    /// `name` as inline code that survives a table cell: a fence longer than any run of backticks
    /// inside, `|` escaped (GitHub splits cells before reading code spans), line breaks as spaces.
    static func codeSpan(_ name: String) -> String {
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
    static func escaped(_ text: String) -> String {
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
