import SluiceCore

extension Digest {
    /// `sha256:` and 64 copies of `digit`: a well-formed digest for a run that needs one.
    public static func repeating(_ digit: Character) -> Digest {
        guard let digest = Digest(hex: String(repeating: digit, count: 64)) else {
            preconditionFailure("\(digit) is not a lower-case hex digit")
        }
        return digest
    }
}
