import Foundation

/// A strict JSON reader for the metrics file: one object whose values are all finite numbers.
///
/// Foundation's readers lose what the messages need: `JSONSerialization` reads `true` as an
/// `NSNumber` that passes for 1.0, neither it nor `JSONDecoder` keeps document order (so "the first
/// bad metric" would change from run to run), and Python's `NaN` and `Infinity` come back as an
/// anonymous syntax error. This reader follows RFC 8259, knows those tokens (and other bare words
/// such as `nan` or `None`) by name, and reports a syntax error before any problem with a value, so a
/// file cut short says so rather than blaming its first metric.
struct MetricsParser {
    /// What a JSON value is, in the words the messages use.
    private enum Kind {
        case object, array, string, number
        case boolean(Bool)
        case null
        /// The non-standard tokens Python's `json.dump` writes for floats that are not finite.
        case nan, infinity, negativeInfinity

        /// "a string", "a boolean (true)": how a message names what it found.
        var phrase: String {
            switch self {
            case .object: "an object"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .boolean(let value): "a boolean (\(value))"
            case .null: "null"
            case .nan: "NaN"
            case .infinity: "Infinity"
            case .negativeInfinity: "-Infinity"
            }
        }
    }

    /// Deeper nesting can only be in a value that is already wrong, so a low bound costs nothing
    /// and keeps the recursion far from the stack's limit.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var names: Set<String> = []
    /// The first problem with a metric's value, thrown once the whole document has parsed.
    private var firstProblem: MetricsError?

    init(_ data: Data) {
        bytes = Array(data)
    }

    /// The metrics, or the first syntax error, or else the first bad value in document order.
    mutating func parse() throws(MetricsError) -> [String: Double] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3  // A UTF-8 byte order mark, as PowerShell writes; RFC 8259 lets a reader skip it.
        }
        skipWhitespace()
        guard index < bytes.count else {
            throw MetricsError(.notJSON, "the metrics file is empty; \(MetricsError.example)")
        }
        guard bytes[index] == UInt8(ascii: "{") else {
            let found = try parseValue(depth: 1)
            try expectEnd()
            throw MetricsError(
                .notObject,
                "the metrics file must hold a JSON object, but found \(found.phrase); \(MetricsError.example)")
        }
        let values = try parseMetrics()
        try expectEnd()
        if let firstProblem {
            throw firstProblem
        }
        return values
    }

    // MARK: The top-level object

    private mutating func parseMetrics() throws(MetricsError) -> [String: Double] {
        var values: [String: Double] = [:]
        index += 1
        skipWhitespace()
        if consume("}") {
            return values
        }
        repeat {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else {
                throw syntaxError(expected: "a metric name in double quotes")
            }
            let name = try parseString()
            skipWhitespace()
            guard consume(":") else {
                throw syntaxError(expected: "':' after the metric name")
            }
            skipWhitespace()
            let value = try parseMetricValue(named: name)
            if !names.insert(name).inserted {
                record(.duplicate, "metric '\(name)' appears more than once; write each metric once")
            } else if let value {
                values[name] = value
            }
            skipWhitespace()
        } while consume(",")
        guard consume("}") else {
            throw syntaxError(expected: "',' or '}'")
        }
        return values
    }

    /// The value of one metric, or nil after recording why it cannot be one.
    private mutating func parseMetricValue(named name: String) throws(MetricsError) -> Double? {
        let start = index
        let kind = try parseValue(depth: 1)
        switch kind {
        case .number:
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if let value = Double(text), value.isFinite {
                return value
            }
            record(.notFinite, "metric '\(name)' is \(text), beyond the range of a double; write a finite number")
        case .nan, .infinity, .negativeInfinity:
            record(
                .notFinite,
                "metric '\(name)' is \(kind.phrase); write a finite number "
                    + "(JSON has no NaN or Infinity, though Python's json.dump writes them)")
        default:
            record(
                .notNumber,
                "metric '\(name)' must be a number, but found \(kind.phrase); write it as a JSON number, such as 0.91")
        }
        return nil
    }

    private mutating func record(_ code: MetricsError.Code, _ message: String) {
        if firstProblem == nil {
            firstProblem = MetricsError(code, message)
        }
    }

    // MARK: Any value

    private mutating func parseValue(depth: Int) throws(MetricsError) -> Kind {
        guard let byte = peek else {
            throw syntaxError(expected: "a value")
        }
        switch byte {
        case UInt8(ascii: "{"):
            try skipObject(depth: depth)
            return .object
        case UInt8(ascii: "["):
            try skipArray(depth: depth)
            return .array
        case UInt8(ascii: "\""):
            _ = try parseString()
            return .string
        case UInt8(ascii: "-") where index + 1 < bytes.count && Self.isLetter(bytes[index + 1]):
            let start = index
            index += 1
            guard parseWord() == "Infinity" else {
                throw wordError(from: start)
            }
            return .negativeInfinity
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
            return .number
        case _ where Self.isLetter(byte):
            let start = index
            switch parseWord() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            case "null": return .null
            case "NaN": return .nan
            case "Infinity": return .infinity
            default: throw wordError(from: start)
            }
        default:
            throw syntaxError(expected: "a value")
        }
    }

    private mutating func skipObject(depth: Int) throws(MetricsError) {
        try checkDepth(depth)
        index += 1
        skipWhitespace()
        if consume("}") {
            return
        }
        repeat {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else {
                throw syntaxError(expected: "a key in double quotes")
            }
            _ = try parseString()
            skipWhitespace()
            guard consume(":") else {
                throw syntaxError(expected: "':' after the key")
            }
            skipWhitespace()
            _ = try parseValue(depth: depth + 1)
            skipWhitespace()
        } while consume(",")
        guard consume("}") else {
            throw syntaxError(expected: "',' or '}'")
        }
    }

    private mutating func skipArray(depth: Int) throws(MetricsError) {
        try checkDepth(depth)
        index += 1
        skipWhitespace()
        if consume("]") {
            return
        }
        repeat {
            skipWhitespace()
            _ = try parseValue(depth: depth + 1)
            skipWhitespace()
        } while consume(",")
        guard consume("]") else {
            throw syntaxError(expected: "',' or ']'")
        }
    }

    private func checkDepth(_ depth: Int) throws(MetricsError) {
        guard depth <= Self.maximumDepth else {
            throw syntaxError(expected: "at most \(Self.maximumDepth) levels of nesting")
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, leaving the index after it.
    private mutating func parseNumber() throws(MetricsError) {
        _ = consume("-")
        if consume("0") {
            // A leading zero stands alone: `01` is not JSON.
        } else {
            try digits()
        }
        if consume(".") {
            try digits()
        }
        if consume("e") || consume("E") {
            _ = consume("+") || consume("-")
            try digits()
        }
    }

    private mutating func digits() throws(MetricsError) {
        guard let byte = peek, Self.isDigit(byte) else {
            throw syntaxError(expected: "a digit")
        }
        while let byte = peek, Self.isDigit(byte) {
            index += 1
        }
    }

    /// A run of ASCII letters, for `true`, `NaN` and the bare words people write by mistake.
    private mutating func parseWord() -> String {
        let start = index
        while let byte = peek, Self.isLetter(byte) {
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func wordError(from start: Int) -> MetricsError {
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        return syntaxError("'\(word)' is not a JSON value", at: start)
    }

    /// A string's contents with escapes decoded; the index must be on its opening quote.
    private mutating func parseString() throws(MetricsError) -> String {
        let start = index
        index += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek else {
                throw syntaxError(expected: "'\"' to close the string")
            }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw syntaxError("a string is not valid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                index -= 1
                throw syntaxError(expected: "an escape such as \\n instead of a control character")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(MetricsError) {
        guard let byte = peek else {
            throw syntaxError(expected: "an escape")
        }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): try parseUnicodeEscape(into: &utf8)
        default:
            index -= 1
            throw syntaxError(expected: "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u after '\\'")
        }
    }

    /// The `XXXX` of `\uXXXX`, and the second escape of a surrogate pair.
    private mutating func parseUnicodeEscape(into utf8: inout [UInt8]) throws(MetricsError) {
        var value = try hexQuad()
        if (0xD800..<0xDC00).contains(value) {
            guard consume("\\"), consume("u") else {
                throw syntaxError(expected: "a \\u escape for the second half of a surrogate pair")
            }
            let low = try hexQuad()
            guard (0xDC00..<0xE000).contains(low) else {
                throw syntaxError("a \\u escape is not the second half of a surrogate pair", at: index - 6)
            }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw syntaxError("a \\u escape is half of a surrogate pair", at: index - 6)
        }
        utf8.append(contentsOf: String(scalar).utf8)
    }

    private mutating func hexQuad() throws(MetricsError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = Self.hexValue(byte) else {
                throw syntaxError(expected: "four hexadecimal digits after \\u")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    // MARK: Bytes

    private var peek: UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func consume(_ ascii: Unicode.Scalar) -> Bool {
        guard peek == UInt8(ascii: ascii) else {
            return false
        }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            index += 1
        }
    }

    private mutating func expectEnd() throws(MetricsError) {
        skipWhitespace()
        guard index == bytes.count else {
            throw syntaxError(expected: "the end of the file after the top-level value")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: Errors

    /// "expected ':' after the metric name, but found '=' at line 1, column 7".
    private func syntaxError(expected: String) -> MetricsError {
        syntaxError("expected \(expected), but found \(foundHere)", at: index)
    }

    private func syntaxError(_ detail: String, at offset: Int) -> MetricsError {
        let before = bytes[..<offset]
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let line = before.count(where: { $0 == 0x0A }) + 1
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        return MetricsError(
            .notJSON,
            "the metrics file is not JSON: \(detail) at line \(line), column \(column); \(MetricsError.example)")
    }

    /// The character at the index as a message shows it: `'='`, `'“'`, `byte 0xFF`, `the end of the file`.
    private var foundHere: String {
        guard let byte = peek else {
            return "the end of the file"
        }
        let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
        let end = min(index + length, bytes.count)
        if byte >= 0x20, byte != 0x7F, let character = String(validating: bytes[index..<end], as: UTF8.self) {
            return "'\(character)'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
