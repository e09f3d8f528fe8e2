/// How far a fetch or clone has come: objects received and indexed, and bytes received.
public struct TransferProgress: Sendable, Hashable {
    var totalObjects: Int
    var receivedObjects: Int
    var indexedObjects: Int
    var receivedBytes: Int

    public init(totalObjects: Int, receivedObjects: Int, indexedObjects: Int, receivedBytes: Int) {
        self.totalObjects = totalObjects
        self.receivedObjects = receivedObjects
        self.indexedObjects = indexedObjects
        self.receivedBytes = receivedBytes
    }
}
