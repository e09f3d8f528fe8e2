import Foundation
@testable import SluiceCore
import Testing

@Suite("Canonical JSON for the audit log")
struct CanonicalJSONTests {
    @Test("Keys come out in byte order with no whitespace, whatever order they went in")
    func sortedKeys() {
        #expect(CanonicalJSON.object(["b": "2", "a": "1", "B": "3", "é": "4", "aa": "5"]) == #"{"B":"3","a":"1","aa":"5","b":"2","é":"4"}"#)
        #expect(CanonicalJSON.object([:]) == "{}")
    }

    @Test("Quotes, backslashes and control characters are escaped as RFC 8259 requires, and nothing else is")
    func escaping() {
        var text = ""
        CanonicalJSON.appendString("a\"b\\c/d\u{08}\u{0C}\n\r\t\u{00}\u{1F}\u{7F}é😀", to: &text)
        #expect(text == #""a\"b\\c/d\b\f\n\r\t\u0000\u001f"# + "\u{7F}é😀\"")
    }

    @Test("What it writes parses back, as JSON, to the same strings")
    func roundTrips() throws {
        let values = ["quote\"", "back\\slash", "line\nfeed", "nul\u{00}", "bell\u{07}", "tab\t", "emoji 😀", "slash /", ""]
        let object = Dictionary(uniqueKeysWithValues: values.enumerated().map { ("key \($0.offset) \($0.element)", $0.element) })
        let parsed = try JSONDecoder().decode([String: String].self, from: Data(CanonicalJSON.object(object).utf8))
        #expect(parsed == object)
        #expect(CanonicalJSON.object(parsed) == CanonicalJSON.object(object))
    }
}
