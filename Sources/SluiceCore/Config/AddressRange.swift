import Glibc

/// An IPv4 or IPv6 address, or a CIDR range of them (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`).
///
/// Parsed with `inet_pton`, so only numeric addresses are accepted: a host name on an
/// allow-list would make access depend on DNS.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network address, 4 or 16 bytes.
    let bytes: [UInt8]
    /// How many leading bits must match.
    let prefixLength: Int

    public let description: String

    /// `text` as a range, or nil when it is not a numeric address with an optional `/bits`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = parts.first, let bytes = Self.bytes(of: String(address)) else { return nil }
        let maximum = bytes.count * 8
        var prefixLength = maximum
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...maximum).contains(bits) else { return nil }
            prefixLength = bits
        }
        self.bytes = bytes
        self.prefixLength = prefixLength
        self.description = text
    }

    /// Whether `address` (a numeric IPv4 or IPv6 address, as a socket reports it) is in the range.
    /// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) counts as its IPv4 address.
    public func contains(_ address: String) -> Bool {
        guard var candidate = Self.bytes(of: address) else { return false }
        if candidate.count == 16, bytes.count == 4, candidate.prefix(12) == Self.mappedPrefix[...] {
            candidate = Array(candidate.suffix(4))
        }
        guard candidate.count == bytes.count else { return false }
        var remaining = prefixLength
        for (ours, theirs) in zip(bytes, candidate) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard ours & mask == theirs & mask else { return false }
            remaining -= 8
        }
        return true
    }

    private static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    private static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
