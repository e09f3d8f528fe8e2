/// A deterministic random number generator (SplitMix64), so generated fixtures are identical on
/// every run and every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BB1_3311_14EB
        return z ^ (z >> 31)
    }

    /// `count` characters of lowercase hex: text that git cannot compress much below half.
    public mutating func hexText(count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = next()
            for _ in 0..<16 where index < count {
                bytes[index] = digits[Int(word & 0xF)]
                word >>= 4
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
