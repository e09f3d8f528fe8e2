import GRDB

/// A digest is stored as its text, `sha256:<hex>` (and read from bare hex too, as earlier
/// releases stored cache keys).
extension Digest: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> Digest? {
        guard let text = String.fromDatabaseValue(value) else { return nil }
        return Digest(stored: text)
    }
}
