/// Removes credentials from text before it leaves the module in an error.
enum Redaction {
    static let placeholder = "<redacted>"

    /// Replaces every secret and the user-info of every URL (`https://user:pass@host`) in `text`.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var scrubbed = text.replacing(/:\/\/[^\/@\s]+@/, with: "://\(placeholder)@")
        for secret in secrets where !secret.isEmpty {
            scrubbed = scrubbed.replacing(secret, with: placeholder)
        }
        return scrubbed
    }
}
