/// Removes every configured secret from step output before it is stored or shown.
///
/// It is the one choke point for step output: each line passes through it before it reaches the log file or a
/// listener. Matching is on UTF-8 bytes, longest secret first and left to right in one pass, so a secret that
/// contains another is removed whole and a placeholder is never matched again. Empty secrets are ignored.
struct Redactor: Sendable {
    /// What a secret is replaced with.
    static let placeholder = "<redacted>"

    /// The secrets' UTF-8 bytes, unique, longest first.
    let secrets: [[UInt8]]

    init(secrets: [String]) {
        let unique = Set(secrets.filter { !$0.isEmpty })
        self.secrets = unique.map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    /// The length in bytes of the longest secret (0 when there is none).
    var longestSecret: Int { secrets.first?.count ?? 0 }

    /// `text` with every secret replaced by `<redacted>`.
    func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        return String(decoding: redact(bytes, decidedBefore: bytes.count).redacted, as: UTF8.self)
    }
}
