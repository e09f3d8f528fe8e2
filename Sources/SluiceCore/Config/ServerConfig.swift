import Foundation

/// The operator's `sluice.yml`, validated, with defaults applied and secrets read from the
/// environment.
///
/// Load it once at startup with `ServerConfig.load(from:)`; a `ConfigError` lists every problem at
/// once, each with `file:line:column` and the key path. After that the value is plain `Sendable`
/// data that every part of the server may share. Only `projects` is required.
public struct ServerConfig: Sendable {
    /// 25 MiB: large enough for a big push payload, small enough to refuse a flood.
    public static let defaultMaxBodyBytes = 25 * 1024 * 1024
    public static let defaultStateDirectory = ".sluice"

    public var listen: ListenAddress
    /// How forges and clusters reach this server (links in comments, artifact URLs).
    public var publicURL: URL?
    /// The SQLite database, mirrors, run directories and artifact store; always absolute.
    public var stateDirectory: URL
    /// The largest webhook body accepted; bigger ones are answered 413 unread.
    public var maxBodyBytes: Int
    public var projects: [ProjectConfig]
    /// Nil when Sluice gates and registers but writes no manifests.
    public var deploy: DeployConfig?
    public var datasets: [DatasetConfig]
    var dataSources: [DataSourceConfig]
    public var alertmanager: AlertmanagerConfig?
    public var executor: ExecutorConfig
    /// Nil when the API needs no token.
    public var auth: AuthConfig?
    /// Nil when `/metrics` is open to every caller `auth` admits (or to anyone, without `auth`).
    public var metrics: MetricsConfig?
    /// The folders below which a trusted run may read `file://` data inputs; empty: none may.
    public var dataFolders: [URL]
    /// The PostgreSQL server that replicas share (`store.url_env`); nil: SQLite in `stateDirectory`.
    public var postgres: PostgresLocation?
    /// Where artifact blobs are kept (`artifacts.path`, by default `state_dir/artifacts`), or cached
    /// when `artifactBucket` holds them; always absolute.
    public var artifactsDirectory: URL
    /// The bucket replicas share artifacts through (`artifacts.s3`); nil: `artifactsDirectory` alone.
    public var artifactBucket: S3Location?

    public init(
        listen: ListenAddress = .default,
        publicURL: URL? = nil,
        stateDirectory: URL,
        maxBodyBytes: Int = defaultMaxBodyBytes,
        projects: [ProjectConfig],
        deploy: DeployConfig? = nil,
        datasets: [DatasetConfig] = [],
        dataSources: [DataSourceConfig] = [],
        alertmanager: AlertmanagerConfig? = nil,
        executor: ExecutorConfig = ExecutorConfig(),
        auth: AuthConfig? = nil,
        metrics: MetricsConfig? = nil,
        dataFolders: [URL] = [],
        postgres: PostgresLocation? = nil,
        artifactsDirectory: URL? = nil,
        artifactBucket: S3Location? = nil
    ) {
        self.listen = listen
        self.publicURL = publicURL
        self.stateDirectory = stateDirectory
        self.maxBodyBytes = maxBodyBytes
        self.projects = projects
        self.deploy = deploy
        self.datasets = datasets
        self.dataSources = dataSources
        self.alertmanager = alertmanager
        self.executor = executor
        self.auth = auth
        self.metrics = metrics
        self.dataFolders = dataFolders
        self.postgres = postgres
        self.artifactsDirectory = artifactsDirectory ?? StoreLocation.defaultArtifactsDirectory(in: stateDirectory)
        self.artifactBucket = artifactBucket
    }

    /// Where the store keeps its rows and artifacts.
    public var storeLocation: StoreLocation {
        StoreLocation(
            stateDirectory: stateDirectory, postgres: postgres, artifactsDirectory: artifactsDirectory,
            artifactBucket: artifactBucket)
    }

    /// The project registered under `name`, the `{project}` of `/hooks/github/{project}`.
    public func project(named name: String) -> ProjectConfig? {
        projects.first { $0.name == name }
    }

    /// The project that owns registry model `model`; the config guarantees there is at most one.
    public func project(owningModel model: String) -> ProjectConfig? {
        projects.first { $0.models.contains(model) }
    }

    /// The data source named by `/hooks/data/{name}`.
    public func dataSource(named name: String) -> DataSourceConfig? {
        dataSources.first { $0.name == name }
    }
}
