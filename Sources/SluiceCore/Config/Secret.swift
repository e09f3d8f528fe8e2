/// A credential read from the environment, which prints as `<redacted>` everywhere.
///
/// Sluice must never put a secret in a log, a run's output, a report or an error message, so the
/// value is hidden from `description`, `debugDescription`, string interpolation, `dump` and
/// `Mirror`. The only way to the bytes is the explicit `revealed` accessor, used at the HTTP or C
/// boundary (an HMAC key, an `Authorization` header, libgit2 credentials) and nowhere else.
/// It is deliberately not `Equatable`: compare presented credentials with `isEqual(toPresented:)`,
/// which takes time independent of where the first difference is.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// The secret itself. Call it only where the value leaves Swift for the wire or a C library.
    public var revealed: String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Compares a credential a client presented (a bearer token) with this secret in constant time
    /// for a given length, so response timing does not reveal how many leading bytes were right.
    public func isEqual(toPresented candidate: some StringProtocol) -> Bool {
        let expected = Array(value.utf8)
        let presented = Array(candidate.utf8)
        var difference = UInt8(expected.count == presented.count ? 0 : 1)
        for index in expected.indices {
            let other = index < presented.count ? presented[index] : 0
            difference |= expected[index] ^ other
        }
        return difference == 0
    }
}
