import Foundation

/// The numbers a run's validate step wrote to `$SLUICE_METRICS`, by name.
///
/// Reading lets only finite numbers in, because the gate must fail closed: a NaN compares false
/// with everything, and a `true` read as 1.0 would pass `min: 0.8`. Anything else is a terminal
/// ``MetricsError`` whose message says what was found and what to write instead. Encodes as the plain
/// JSON object the file holds, so a baseline's metrics can be handed to the next run's code as is.
public struct Metrics: Sendable, Hashable, Codable {
    public var values: [String: Double]

    public init(_ values: [String: Double] = [:]) {
        self.values = values
    }

    /// Reads and checks the metrics file at `url`, refusing files larger than `limit` bytes.
    ///
    /// Blocks on file I/O. A FIFO or other special file at the path is refused without waiting
    /// for a writer.
    public static func read(from url: URL, limit: Int = 1 << 20) throws(MetricsError) -> Metrics {
        let path = url.path(percentEncoded: false)
        // Never through a link: a step could point one at a file of the server's.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT {
                throw MetricsError(
                    .missing, "the validate step wrote no metrics file at \(path); \(MetricsError.example)")
            }
            if code == ELOOP {
                throw MetricsError(
                    .unreadable, "the metrics file at \(path) is a symlink, which Sluice does not follow; \(MetricsError.example) there")
            }
            let reason = String(cString: strerror(code))
            throw MetricsError(.unreadable, "the metrics file at \(path) cannot be opened: \(reason)")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw MetricsError(
                .unreadable,
                "the metrics file at \(path) is not a regular file; \(MetricsError.example) there")
        }
        let tooLarge = MetricsError(
            .tooLarge,
            "the metrics file at \(path) is larger than the limit of \(limit) bytes; "
                + "write only a JSON object of numbers, such as {\"auc\": 0.91}")
        guard status.st_size <= limit else {
            throw tooLarge
        }
        let data: Data
        do {
            // One byte past the limit tells a file that grew after `fstat` from one that fits.
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw MetricsError(.unreadable, "the metrics file at \(path) cannot be read: \(error)")
        }
        guard data.count <= limit else {
            throw tooLarge
        }
        return try parse(data)
    }

    /// Checks the bytes of a metrics file: a JSON object whose values are all finite numbers.
    public static func parse(_ data: Data) throws(MetricsError) -> Metrics {
        var parser = MetricsParser(data)
        return Metrics(try parser.parse())
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: Double].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
