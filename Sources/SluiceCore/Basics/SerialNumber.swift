/// A number the store gives one kind of thing (run 12, promotion 4, v3): raw-representable, so
/// JSON shows it as a bare number, and shown to users with its noun.
public struct SerialNumber<Subject: Numbered>: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    CustomStringConvertible
{
    public let rawValue: Subject.SerialValue

    public init(_ rawValue: Subject.SerialValue) {
        self.rawValue = rawValue
    }

    public init(rawValue: Subject.SerialValue) {
        self.init(rawValue)
    }

    public var description: String { Subject.label(of: rawValue) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    // Spelled out: for a generic raw value Swift would synthesize `{"rawValue": 3}`.
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Subject.SerialValue.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A kind of thing the store numbers: says what integer the number is and how users read it.
public protocol Numbered {
    associatedtype SerialValue: BinaryInteger & Codable & Sendable & Hashable
    /// `run 12`, `v3`.
    static func label(of number: SerialValue) -> String
}
