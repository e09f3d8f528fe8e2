import CGit2
import Foundation

/// How long a network operation may wait to connect, and then for each read or write.
///
/// The I/O timeout bounds a stall, not a whole transfer: a large clone that keeps receiving bytes
/// never times out. Timeouts travel to the socket stream in a thread-local, because libgit2 runs
/// the transport on the calling thread and its stream constructor takes no payload.
public struct NetworkTimeouts: Sendable, Hashable {
    public var connect: Duration
    public var io: Duration

    public init(connect: Duration = .seconds(15), io: Duration = .seconds(120)) {
        self.connect = connect
        self.io = io
    }

    /// Runs `body` with these timeouts in force for every connection it opens on this thread.
    func apply<T>(_ body: () throws -> T) rethrows -> T {
        let box = Unmanaged.passRetained(Box(self))
        let previous = pthread_getspecific(Self.key)
        pthread_setspecific(Self.key, box.toOpaque())
        defer {
            pthread_setspecific(Self.key, previous)
            box.release()
        }
        return try body()
    }

    private static var current: NetworkTimeouts {
        guard let pointer = pthread_getspecific(key) else { return NetworkTimeouts() }
        return Unmanaged<Box>.fromOpaque(pointer).takeUnretainedValue().timeouts
    }

    private final class Box {
        let timeouts: NetworkTimeouts
        init(_ timeouts: NetworkTimeouts) { self.timeouts = timeouts }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static let streamConstructor: @convention(c) (
        UnsafeMutablePointer<UnsafeMutablePointer<git_stream>?>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
    ) -> Int32 = { out, host, port in
        let timeouts = NetworkTimeouts.current
        return sluice_git_socket_stream_new(
            out, host, port, timeouts.connect.wholeMilliseconds, timeouts.io.wholeMilliseconds)
    }
}

extension Duration {
    fileprivate var wholeMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
