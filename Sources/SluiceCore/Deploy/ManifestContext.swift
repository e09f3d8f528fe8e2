import Foundation

/// Everything a manifest template may show about one promotion: the model version, where its
/// artifact is served from, where it came from, and the spec's `deploy.values`.
///
/// Plain data, filled in by whoever applies the promotion. ``ManifestRenderer`` validates it and
/// turns every string into a quoted YAML scalar before a template sees it.
public struct ManifestContext: Sendable, Hashable {
    /// The registry name, from `model:` in `.sluice.yml`.
    public var model: String
    public var version: Int
    /// The environment being promoted to, such as `production`.
    public var environment: String
    /// The artifact's content address.
    public var digest: Digest
    /// Where the serving runtime downloads the artifact; see ``defaultStorageURI(publicURL:digest:)``.
    public var storageURI: String
    /// The model repository's clone URL, as in the server config.
    public var sourceRepository: String
    /// The commit the run trained, as 40 hex digits.
    public var sourceCommit: String
    /// The run that trained and gated this version.
    public var run: Int
    /// `deploy.values` from `.sluice.yml`, as text.
    public var values: [String: String]

    public init(
        model: String, version: Int, environment: String, digest: Digest, storageURI: String,
        sourceRepository: String, sourceCommit: String, run: Int, values: [String: String] = [:]
    ) {
        self.model = model
        self.version = version
        self.environment = environment
        self.digest = digest
        self.storageURI = storageURI
        self.sourceRepository = sourceRepository
        self.sourceCommit = sourceCommit
        self.run = run
        self.values = values
    }

    /// The artifact's URL on this server: `public_url` + `/api/v1/artifacts/sha256/<hex>`.
    ///
    /// The URL names the content, so a manifest pinned to it always serves exactly the promoted
    /// bytes. A path in `public_url` (a server behind a prefix) is kept; a trailing `/` is not doubled.
    static func defaultStorageURI(publicURL: URL, digest: Digest) -> String {
        var base = publicURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/api/v1/artifacts/sha256/" + digest.hex
    }
}
