extension Duration {
    /// Parses a duration as a pipeline spec writes it: whole hours, minutes and seconds, largest
    /// unit first and each at most once (`90s`, `10m`, `2h`, `1h30m`).
    ///
    /// A bare number is refused rather than read as seconds: `timeout: 10` means ten minutes to
    /// some readers and ten seconds to others, and guessing wrong kills a training run or lets a
    /// hung one hold a slot for hours. Zero is refused too: no step can finish in no time.
    static func parse(specText text: String) -> Result<Duration, InvalidDuration> {
        let example = "as in 90s, 10m, 2h or 1h30m"
        let notADuration = InvalidDuration(reason: "'\(text)' is not a duration; write whole hours, minutes or seconds with their unit, \(example)")
        let notPositive = InvalidDuration(reason: "must be longer than zero, \(example)")
        guard !text.isEmpty else { return .failure(notADuration) }
        if text.hasPrefix("-") {
            return .failure(notPositive)
        }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return .failure(InvalidDuration(reason: "'\(text)' has no unit; add s, m or h, as in \(text)s"))
        }
        let units: [(symbol: Character, seconds: Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        var remaining = Substring(text)
        var firstAllowedUnit = 0
        var total = 0
        while !remaining.isEmpty {
            let digits = remaining.prefix(while: { $0.isASCII && $0.isNumber })
            remaining = remaining.dropFirst(digits.count)
            guard let count = Int(digits), let symbol = remaining.first,
                let unit = units[firstAllowedUnit...].firstIndex(where: { $0.symbol == symbol })
            else {
                return .failure(notADuration)
            }
            remaining = remaining.dropFirst()
            firstAllowedUnit = unit + 1
            let (seconds, multiplyOverflowed) = count.multipliedReportingOverflow(by: units[unit].seconds)
            let (sum, addOverflowed) = total.addingReportingOverflow(seconds)
            guard !multiplyOverflowed, !addOverflowed else {
                return .failure(InvalidDuration(reason: "'\(text)' is too long a duration"))
            }
            total = sum
        }
        guard total > 0 else { return .failure(notPositive) }
        return .success(.seconds(total))
    }
}
