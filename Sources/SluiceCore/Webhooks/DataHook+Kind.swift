extension DataHook.Kind {
    /// The notification format of a configured data source.
    ///
    /// The parser keeps its own enum so it needs no config type; this is the one bridge, and its
    /// exhaustive switch makes a new source kind in the config fail to compile until it is parsed.
    public init(_ kind: DataSourceKind) {
        switch kind {
        case .sluice: self = .sluice
        case .s3: self = .s3
        case .gcs: self = .gcs
        }
    }
}
