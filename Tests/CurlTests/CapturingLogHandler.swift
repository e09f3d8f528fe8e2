import Logging

/// A log handler that renders each event (message, metadata, error) into a ``Recorder``.
struct CapturingLogHandler: LogHandler {
    let lines: Recorder<String>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    func log(event: LogEvent) {
        var line = "\(event.level) \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        if let error = event.error {
            line += " error=\(error)"
        }
        lines.record(line)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// A logger at trace level whose output lands in `lines`.
    static func logger(into lines: Recorder<String>) -> Logger {
        var logger = Logger(label: "curl-tests.client") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .trace
        return logger
    }
}
