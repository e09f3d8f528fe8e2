extension CommentCommand {
    /// What a comment body asks of Sluice: a verb with its environment, or why it asks nothing.
    enum Parsed: Sendable, Hashable {
        case command(Verb, environment: String?)
        /// Not a command Sluice runs; the reason says what is understood.
        case none(reason: String)
    }

    /// The commands Sluice understands, as shown to users in ignored reasons.
    static let understood = "/sluice run, /sluice retrain, /sluice approve ENV, /sluice reject ENV"

    /// Reads the first line of `body` that starts with `/sluice` (after indentation).
    ///
    /// Only a line's start counts, so a quoted reply (`> /sluice approve production`) or a mention
    /// in prose never approves anything. Verbs are case-insensitive; environment names are kept
    /// as written. A malformed command is reported, not guessed at.
    static func parse(commentBody body: String) -> Parsed {
        for rawLine in body.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let words = rawLine.split(whereSeparator: \.isWhitespace)
            guard let first = words.first, first == "/sluice" else { continue }
            guard words.count > 1 else {
                return .none(reason: "/sluice needs a command; understood: \(understood)")
            }
            let word = words[1].lowercased()
            guard let verb = Verb(rawValue: word) else {
                return .none(reason: "unknown command /sluice \(words[1]); understood: \(understood)")
            }
            switch verb {
            case .run, .retrain:
                guard words.count == 2 else {
                    return .none(reason: "/sluice \(word) takes no argument; understood: \(understood)")
                }
                return .command(verb, environment: nil)
            case .approve, .reject:
                guard words.count == 3 else {
                    return .none(
                        reason: "/sluice \(word) needs exactly one environment (/sluice \(word) ENV); understood: \(understood)")
                }
                return .command(verb, environment: String(words[2]))
            }
        }
        return .none(reason: "comment has no /sluice command; understood: \(understood)")
    }
}
