import CodedErrors

/// Why a promotion's manifest could not be rendered; terminal, naming the template and what to fix.
///
/// Every case is fixed by a person, not by retrying: a value in `deploy.values` of `.sluice.yml`,
/// the template itself, or the template name. Nothing is committed to the deploy repository when
/// rendering fails.
///
/// `detail` is the template's name: a shipped name such as `kserve`, or the path it was read from.
public typealias ManifestError = CodedError<ManifestRenderer, String>

extension ErrorCode<ManifestRenderer> {
    /// No shipped template has this name.
    static var unknownTemplate: Self { Self("unknown template") }
    /// A shipped template's file exists but cannot be read as UTF-8 text.
    static var unreadableTemplate: Self { Self("unreadable template") }
    /// The name is not a bare template name (it has `/`, `..` or other characters).
    static var unsafePath: Self { Self("unsafe path") }
    /// The template needs a value that `deploy.values` does not set.
    static var missingValue: Self { Self("missing value") }
    /// A value, or a name derived from the model and environment, has the wrong form.
    static var invalidValue: Self { Self("invalid value") }
    /// The template is not valid Mustache, or uses a pragma Sluice does not allow.
    static var templateSyntax: Self { Self("template syntax") }
    /// The template rendered text that is not YAML.
    static var invalidOutput: Self { Self("invalid output") }
}
