import Foundation

/// Who made a commit and when: the author or committer line of a commit.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    public var date: Date
    /// Offset from UTC in minutes, as git records it.
    var utcOffsetMinutes: Int

    public init(name: String, email: String, date: Date = Date(), utcOffsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.date = date
        self.utcOffsetMinutes = utcOffsetMinutes
    }
}
