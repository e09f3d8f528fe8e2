/// How far a fetch or clone has come: objects received and indexed, and bytes received.
public struct TransferProgress: Sendable, Hashable {
    public var totalObjects: Int
    public var receivedObjects: Int
    public var indexedObjects: Int
    public var receivedBytes: Int

    public init(totalObjects: Int, receivedObjects: Int, indexedObjects: Int, receivedBytes: Int) {
        self.totalObjects = totalObjects
        self.receivedObjects = receivedObjects
        self.indexedObjects = indexedObjects
        self.receivedBytes = receivedBytes
    }
}
