/// A tiny writer of canonical JSON for the audit log: the same value always gives the same bytes.
///
/// Objects have their keys sorted by their UTF-8 bytes and no whitespace. Strings escape only what
/// RFC 8259 requires: `"` and `\` with a backslash; U+0008, U+0009, U+000A, U+000C and U+000D as
/// `\b \t \n \f \r`; every other control character below U+0020 as `\u00xx` (lower-case hex).
/// Everything else, `/` and non-ASCII included, is written as its UTF-8 bytes. Hand-written
/// rather than `JSONEncoder` because an entry is written on the ingest path of every delivery,
/// and because the hash chain depends on bytes that no library version may change.
enum CanonicalJSON {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `{"a":"1","b":"2"}`: an object of strings, keys in UTF-8 byte order.
    static func object(_ members: [String: String]) -> String {
        var text = "{"
        for (index, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { text += "," }
            appendString(key, to: &text)
            text += ":"
            appendString(members[key] ?? "", to: &text)
        }
        return text + "}"
    }

    /// Appends `value` as a quoted, escaped JSON string.
    static func appendString(_ value: String, to text: inout String) {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.reserveCapacity(value.utf8.count + 2)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x00..<0x20:
                bytes += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        text += String(decoding: bytes, as: UTF8.self)
    }
}
