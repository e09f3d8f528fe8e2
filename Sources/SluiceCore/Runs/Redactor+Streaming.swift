extension Redactor {
    /// Redacts the part of `bytes` that is already decided, for output that arrives in pieces.
    ///
    /// Positions before `limit` are scanned; a secret that starts there is replaced whole, even when it runs past
    /// `limit`. The caller keeps `bytes[consumed...]` and prepends it to what comes next. The result equals
    /// redacting the whole text at once as long as `limit <= bytes.count - (longestSecret - 1)`, because every
    /// secret that starts before `limit` then lies entirely inside `bytes`.
    func redact(_ bytes: [UInt8], decidedBefore limit: Int) -> (redacted: [UInt8], consumed: Int) {
        guard !secrets.isEmpty else {
            return (Array(bytes[..<limit]), limit)
        }
        let placeholder = Array(Self.placeholder.utf8)
        var redacted: [UInt8] = []
        redacted.reserveCapacity(limit)
        var index = 0
        scan: while index < limit {
            let byte = bytes[index]
            for secret in secrets where secret[0] == byte && index + secret.count <= bytes.count {
                if bytes[index..<index + secret.count].elementsEqual(secret) {
                    redacted.append(contentsOf: placeholder)
                    index += secret.count
                    continue scan
                }
            }
            redacted.append(byte)
            index += 1
        }
        return (redacted, index)
    }
}
