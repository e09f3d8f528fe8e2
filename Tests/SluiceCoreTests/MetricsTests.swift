import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Metrics: reading the validate step's metrics file")
struct MetricsTests {
    /// The error `text` gives, or nil when it parses.
    private func error(parsing text: String) -> MetricsError? {
        do {
            _ = try Metrics.parse(Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("An object of numbers is read with every value")
    func validObject() throws {
        let metrics = try Metrics.parse(Data(#"{"auc": 0.91, "loss": -1.5e-3, "rows": 120000, "zero": 0}"#.utf8))
        #expect(metrics.values == ["auc": 0.91, "loss": -0.0015, "rows": 120_000, "zero": 0])
    }

    @Test("Escapes in metric names are decoded and a byte order mark is skipped")
    func escapesAndByteOrderMark() throws {
        let text = "\u{FEFF}" + #"{"acc\u00e9 \ud83d\ude00\n": 1, "a\/b": 2}"#
        let metrics = try Metrics.parse(Data(text.utf8))
        #expect(metrics.values == ["accé 😀\n": 1, "a/b": 2])
    }

    @Test("An empty object is a valid file with no metrics")
    func emptyObject() throws {
        #expect(try Metrics.parse(Data(" {} \n".utf8)).values.isEmpty)
    }

    @Test("A missing file says the validate step wrote none and what to write")
    func missingFile() throws {
        let scratch = try ScratchDirectory()
        let url = scratch.path("metrics.json")
        let error = #expect(throws: MetricsError.self) { try Metrics.read(from: url) }
        #expect(error?.code == .missing)
        #expect(
            error?.message
                == #"the validate step wrote no metrics file at \#(url.path); write a JSON object such as {"auc": 0.91}"#
        )
    }

    @Test("A file is read from disk")
    func readsFile() throws {
        let scratch = try ScratchDirectory()
        let url = try scratch.write(#"{"auc": 0.91}"#, to: "metrics.json")
        #expect(try Metrics.read(from: url).values == ["auc": 0.91])
    }

    @Test("A file over the size cap is refused before it is parsed")
    func sizeCap() throws {
        let scratch = try ScratchDirectory()
        let body = #"{"auc": 0.91}"#
        let url = try scratch.write(body + String(repeating: " ", count: 100), to: "metrics.json")
        #expect(try Metrics.read(from: url, limit: body.utf8.count + 100).values == ["auc": 0.91])
        let error = #expect(throws: MetricsError.self) { try Metrics.read(from: url, limit: body.utf8.count + 99) }
        #expect(error?.code == .tooLarge)
        #expect(
            error?.message
                == #"the metrics file at \#(url.path) is larger than the limit of 112 bytes; write only a JSON object of numbers, such as {"auc": 0.91}"#
        )
    }

    @Test("A directory or a FIFO at the path is refused without blocking")
    func notRegularFile() throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.path("metrics.json")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        let error = #expect(throws: MetricsError.self) { try Metrics.read(from: directory) }
        #expect(error?.code == .unreadable)
        #expect(
            error?.message
                == #"the metrics file at \#(directory.path) is not a regular file; write a JSON object such as {"auc": 0.91} there"#
        )
        let fifo = scratch.path("fifo.json")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(throws: MetricsError.self) { try Metrics.read(from: fifo) }
    }

    @Test("An empty file says it is empty")
    func emptyFile() {
        let error = error(parsing: " \n")
        #expect(error?.code == .notJSON)
        #expect(error?.message == #"the metrics file is empty; write a JSON object such as {"auc": 0.91}"#)
    }

    @Test("Text that is not JSON is reported with its line and column")
    func notJSON() {
        let error = error(parsing: "{\n  \"auc\" = 0.91\n}")
        #expect(error?.code == .notJSON)
        #expect(
            error?.message
                == #"the metrics file is not JSON: expected ':' after the metric name, but found '=' at line 2, column 9; write a JSON object such as {"auc": 0.91}"#
        )
    }

    @Test("A file cut short is reported as not JSON rather than blaming an earlier metric")
    func truncated() {
        let error = error(parsing: #"{"auc": "high", "loss": 0."#)
        #expect(error?.code == .notJSON)
        #expect(
            error?.message
                == #"the metrics file is not JSON: expected a digit, but found the end of the file at line 1, column 27; write a JSON object such as {"auc": 0.91}"#
        )
    }

    @Test("Python literals and other bare words are named")
    func bareWords() {
        #expect(
            error(parsing: #"{"auc": None}"#)?.message
                == #"the metrics file is not JSON: 'None' is not a JSON value at line 1, column 9; write a JSON object such as {"auc": 0.91}"#
        )
        #expect(
            error(parsing: #"{"auc": -inf}"#)?.message
                == #"the metrics file is not JSON: '-inf' is not a JSON value at line 1, column 9; write a JSON object such as {"auc": 0.91}"#
        )
    }

    @Test("Curly quotes are shown as the character found")
    func curlyQuotes() {
        #expect(
            error(parsing: "{“auc”: 0.9}")?.message
                == #"the metrics file is not JSON: expected a metric name in double quotes, but found '“' at line 1, column 2; write a JSON object such as {"auc": 0.91}"#
        )
    }

    @Test("Leading zeros, trailing commas and trailing text are not JSON")
    func strictGrammar() {
        #expect(error(parsing: #"{"auc": 01}"#)?.code == .notJSON)
        #expect(error(parsing: #"{"auc": 1,}"#)?.code == .notJSON)
        #expect(error(parsing: #"{"auc": 1} x"#)?.code == .notJSON)
        #expect(error(parsing: #"{"auc": .5}"#)?.code == .notJSON)
        #expect(error(parsing: "{\"a\tb\": 1}")?.code == .notJSON)
        #expect(error(parsing: #"{"\ud800": 1}"#)?.code == .notJSON)
    }

    @Test("Bytes that are not UTF-8 are not JSON")
    func notUTF8() throws {
        let error = #expect(throws: MetricsError.self) {
            try Metrics.parse(Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]))
        }
        #expect(
            error?.message
                == #"the metrics file is not JSON: a string is not valid UTF-8 at line 1, column 2; write a JSON object such as {"auc": 0.91}"#
        )
    }

    @Test(
        "A top-level value that is not an object says what was found",
        arguments: [
            ("[0.91]", "an array"), (#""auc""#, "a string"), ("0.91", "a number"), ("true", "a boolean (true)"),
            ("null", "null"), ("NaN", "NaN"),
        ])
    func notObject(text: String, found: String) {
        let error = error(parsing: text)
        #expect(error?.code == .notObject)
        #expect(
            error?.message
                == #"the metrics file must hold a JSON object, but found \#(found); write a JSON object such as {"auc": 0.91}"#
        )
    }

    @Test(
        "A metric that is not a number names the key and what was found",
        arguments: [
            (#""0.91""#, "a string"), ("true", "a boolean (true)"), ("false", "a boolean (false)"), ("null", "null"),
            (#"{"value": 0.91}"#, "an object"), ("[0.91]", "an array"),
        ])
    func notNumber(value: String, found: String) {
        let error = error(parsing: #"{"loss": 0.2, "auc": \#(value)}"#)
        #expect(error?.code == .notNumber)
        #expect(
            error?.message
                == "metric 'auc' must be a number, but found \(found); write it as a JSON number, such as 0.91")
    }

    @Test("Booleans are refused, never read as 1 or 0")
    func booleansRefused() {
        #expect(error(parsing: #"{"passed": true}"#)?.code == .notNumber)
        #expect(error(parsing: #"{"passed": false}"#)?.code == .notNumber)
    }

    @Test(
        "Python's NaN and Infinity are named as not finite",
        arguments: [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity")])
    func pythonNonFinite(token: String, shown: String) {
        let error = error(parsing: #"{"auc": \#(token), "loss": 0.2}"#)
        #expect(error?.code == .notFinite)
        #expect(
            error?.message
                == "metric 'auc' is \(shown); write a finite number (JSON has no NaN or Infinity, though Python's json.dump writes them)"
        )
    }

    @Test("A number too large for a double is not finite")
    func overflow() {
        let error = error(parsing: #"{"auc": 1e400}"#)
        #expect(error?.code == .notFinite)
        #expect(error?.message == "metric 'auc' is 1e400, beyond the range of a double; write a finite number")
    }

    @Test("The first bad metric in the file is the one reported")
    func documentOrder() {
        let text = #"{"a": 1, "zeta": "x", "beta": NaN, "alpha": null}"#
        #expect(error(parsing: text)?.message.hasPrefix("metric 'zeta' must be a number") == true)
    }

    @Test("A metric written twice is refused")
    func duplicate() {
        let error = error(parsing: #"{"auc": 0.9, "auc": 0.8}"#)
        #expect(error?.code == .duplicate)
        #expect(error?.message == "metric 'auc' appears more than once; write each metric once")
    }

    @Test("Deep nesting inside a bad value is refused without recursing further")
    func deepNesting() {
        let text = #"{"auc": "# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        let error = error(parsing: text)
        #expect(error?.code == .notJSON)
        #expect(error?.message.contains("expected at most 64 levels of nesting") == true)
    }

    @Test("Metrics encode as the plain object the file holds")
    func codable() throws {
        let metrics = Metrics(["auc": 0.91])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(metrics), as: UTF8.self) == #"{"auc":0.91}"#)
        #expect(try JSONDecoder().decode(Metrics.self, from: Data(#"{"auc":0.91}"#.utf8)) == metrics)
    }
}
