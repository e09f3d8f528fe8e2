import Git

/// What a run reports while it goes, for live progress (the CLI's lines, the web UI's log view).
public enum RunEvent: Sendable {
    case started(Run.ID, commit: String)
    case specRead(PipelineSpec)
    case dataReady(DataCache.Entry)
    case cacheHit(Run.ID)
    /// The spec's Python environment is ready: `built` by this run, or reused.
    case environmentReady(Run.PythonEnvironmentRecord, built: Bool)
    case stepStarted(name: String, command: String)
    /// One line of a step's output, already redacted.
    case output(step: String, line: String)
    case stepFinished(name: String, StepResult)
    case gateEvaluated(GateReport)
    case finished(Run)
}
