/// A pattern where `*` matches any run of characters (including `/`) and everything else is literal.
///
/// Branch filters (`release/*`) and dataset matches (`https://data.example.com/transactions*`)
/// share this one matcher so callers never reimplement globbing. There is no `?`, no character
/// class and no escaping: operators write URLs and branch names, which use those characters
/// literally.
struct GlobPattern: Sendable, Hashable {
    let pattern: String
    private let characters: [Character]

    init(_ pattern: String) {
        self.pattern = pattern
        self.characters = Array(pattern)
    }

    /// Whether the whole of `text` matches (not just a prefix or a substring).
    func matches(_ text: String) -> Bool {
        let subject = Array(text)
        var p = 0
        var s = 0
        // Position just after the last `*` seen, and the subject position it was tried against.
        var star: Int?
        var starSubject = 0
        while s < subject.count {
            if p < characters.count, characters[p] == "*" {
                star = p + 1
                starSubject = s
                p += 1
            } else if p < characters.count, characters[p] == subject[s] {
                p += 1
                s += 1
            } else if let resume = star {
                // Let the last `*` swallow one more character and try again from there.
                starSubject += 1
                s = starSubject
                p = resume
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" {
            p += 1
        }
        return p == characters.count
    }
}
