import CodedErrors

/// Why the metrics file the validate step wrote cannot be used; always terminal.
///
/// The user's code must change (write the file, write numbers, write finite numbers), so the run
/// stops and the message is shown as it is: it says what was found and what to write instead.
public typealias MetricsError = CodedError<Metrics, NoDetail>

extension ErrorCode<Metrics> {
    /// There is no file at `$SLUICE_METRICS`.
    public static var missing: Self { Self("missing") }
    /// The path exists but cannot be read as a file (a directory, no permission).
    static var unreadable: Self { Self("unreadable") }
    /// The file is larger than the size cap.
    static var tooLarge: Self { Self("too large") }
    /// The file is empty or is not JSON (a syntax error, text that is not UTF-8).
    static var notJSON: Self { Self("not JSON") }
    /// The file is JSON, but its top-level value is not an object.
    static var notObject: Self { Self("not an object") }
    /// A metric's value is a string, boolean, null, object or array.
    static var notNumber: Self { Self("not a number") }
    /// A metric is `NaN`, `Infinity`, `-Infinity`, or a number too large for a `Double`.
    static var notFinite: Self { Self("not finite") }
    /// A metric name appears twice in the object.
    public static var duplicate: Self { Self("duplicate") }
}

extension CodedError<Metrics, NoDetail> {
    /// The advice that ends most messages: the shape the file must have.
    static var example: String { #"write a JSON object such as {"auc": 0.91}"# }
}
