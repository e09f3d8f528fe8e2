/// Why the metrics file the validate step wrote cannot be used; always terminal.
///
/// The user's code must change (write the file, write numbers, write finite numbers), so the run
/// stops and the message is shown as it is: it says what was found and what to write instead.
public struct MetricsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; an open set so new checks need no breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// There is no file at `$SLUICE_METRICS`.
        public static let missing = Code("missing")
        /// The path exists but cannot be read as a file (a directory, no permission).
        public static let unreadable = Code("unreadable")
        /// The file is larger than the size cap.
        public static let tooLarge = Code("too large")
        /// The file is empty or is not JSON (a syntax error, text that is not UTF-8).
        public static let notJSON = Code("not JSON")
        /// The file is JSON, but its top-level value is not an object.
        public static let notObject = Code("not an object")
        /// A metric's value is a string, boolean, null, object or array.
        public static let notNumber = Code("not a number")
        /// A metric is `NaN`, `Infinity`, `-Infinity`, or a number too large for a `Double`.
        public static let notFinite = Code("not finite")
        /// A metric name appears twice in the object.
        public static let duplicate = Code("duplicate")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The advice that ends most messages: the shape the file must have.
    static let example = #"write a JSON object such as {"auc": 0.91}"#
}
