import ArgumentParser

/// How `sluice serve` writes its log.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    /// One readable line per event.
    case text
    /// One JSON object per line (`JSONLogHandler`).
    case json
}
