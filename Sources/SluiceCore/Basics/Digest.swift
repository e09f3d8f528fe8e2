import Crypto

/// A SHA-256 content address, written `sha256:` and 64 lower-case hex digits: what names an
/// artifact, a stored blob, a version's bytes, a spec, a run's cache key, a Python environment
/// and a data input's bytes.
///
/// Made only from a text of that form or from a hash, so holding one means its form was checked;
/// in JSON and in the store it is that text. Decoding also reads the 64 bare hex digits that
/// fields already named `sha256` carry (a spec's data pin, a data webhook's payload, the data
/// versions and cache keys that earlier releases stored).
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 64 lower-case hex digits.
    public let hex: String

    /// The digest `text` writes; nil unless it is `sha256:` and 64 lower-case hex digits.
    public init?(_ text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        self.init(hex: String(text.dropFirst("sha256:".count)))
    }

    /// The digest with these hex digits; nil unless they are 64 lower-case hex digits.
    public init?(hex: String) {
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        let letters = UInt8(ascii: "a")...UInt8(ascii: "f")
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ digits.contains($0) || letters.contains($0) }) else { return nil }
        self.hex = hex
    }

    /// The address of bytes that hashed to `hash`.
    init(_ hash: SHA256.Digest) {
        hex = Hex.encode(hash)
    }

    public var description: String { "sha256:" + hex }

    /// `sha256:` and the first 12 hex digits: enough to tell digests apart in a line of text.
    public var short: String { "sha256:" + hex.prefix(12) }

    /// The digest a stored or decoded `text` names: `sha256:<hex>` or the bare hex digits.
    init?(stored text: String) {
        guard let digest = Digest(text) ?? Digest(hex: text) else { return nil }
        self = digest
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let digest = Digest(stored: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not sha256: and 64 lower-case hex digits")
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
