@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Redactor: the one choke point for step output")
struct RedactorTests {
    @Test("Every occurrence of every secret is replaced")
    func replacesAll() {
        let redactor = Redactor(secrets: ["alpha", "beta"])

        #expect(redactor.redact("alpha beta alphabet") == "<redacted> <redacted> <redacted>bet")
    }

    @Test("A secret that contains another is removed whole, whatever order they are given in")
    func longestFirst() {
        let redactor = Redactor(secrets: ["abc", "abcdef"])

        #expect(redactor.redact("xabcdefy abcz") == "x<redacted>y <redacted>z")
    }

    @Test("Empty secrets are ignored and text without secrets is unchanged")
    func emptySecrets() {
        #expect(Redactor(secrets: [""]).redact("nothing here") == "nothing here")
        #expect(Redactor(secrets: []).redact("") == "")
    }

    @Test("A placeholder is never matched again by a secret inside it")
    func placeholderIsFinal() {
        let redactor = Redactor(secrets: ["token", "red"])

        #expect(redactor.redact("token") == "<redacted>")
    }

    @Test("Secrets are matched in non-ASCII text")
    func unicode() {
        let redactor = Redactor(secrets: ["pässwörd"])

        #expect(redactor.redact("clé=pässwörd✓") == "clé=<redacted>✓")
    }
}
