import Foundation

/// How gate reasons and reports write numbers: four significant decimals at most, no trailing zeros.
///
/// Reports are read by people deciding whether a model regressed, so `0.912` beats
/// `0.91200000000000003`; the JSON report keeps the exact values for machines. Values at least 1
/// keep four decimals (`48.1235`), smaller ones four significant digits (`0.0005123`), and the
/// extremes (below 1e-4, from 1e15) use an exponent (`1.5e-7`). Independent of locale.
enum CompactNumber {
    static func format(_ value: Double) -> String {
        guard value.isFinite else {
            return value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity"
        }
        if value == 0 {
            return "0"
        }
        let magnitude = abs(value)
        if magnitude < 1e-4 || magnitude >= 1e15 {
            let parts = String(format: "%.3e", value).split(separator: "e")
            return trimmingZeros(String(parts[0])) + "e" + String(Int(parts[1]) ?? 0)
        }
        let decimals = magnitude >= 1 ? 4 : 3 - Int(log10(magnitude).rounded(.down))
        return trimmingZeros(String(format: "%.\(decimals)f", value))
    }

    /// A change with its sign: `+0.002`, `-0.007`, `0`.
    static func signed(_ value: Double) -> String {
        value > 0 ? "+" + format(value) : format(value)
    }

    private static func trimmingZeros(_ text: String) -> String {
        guard text.contains(".") else {
            return text
        }
        var text = Substring(text)
        while text.last == "0" {
            text.removeLast()
        }
        if text.last == "." {
            text.removeLast()
        }
        return String(text)
    }
}
