import Foundation
import Testing
import EmuPluginKit

/// The trimming helpers remove what Foundation's `trimmingCharacters(in:)` removes with `.whitespaces` and
/// `.whitespacesAndNewlines`, which they replace where only FoundationEssentials is imported. One deliberate
/// difference: corelibs Foundation on Linux also trims U+200B ZERO WIDTH SPACE, which is not whitespace (category
/// Cf) and not in those sets as documented; the helpers keep it.
@Suite struct StringTrimmingTests {
    static let texts = [
        "", " ", "\t", "\r\n", "a", " a ", "\ta b\t", "\n a \n", " \r\n x \u{0B}\u{0C}", "\u{A0}nbsp\u{A0}",
        "\u{2003}em\u{3000}", "\u{2028}line\u{2029}", "\u{85}next\u{85}", "keep  inner  space", " é ", "\u{301}x",
        "日本 ",
    ]

    @Test func asFoundationTrims() {
        for text in Self.texts {
            #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(text.debugDescription)")
        }
        #expect(" a ".dropFirst().trimmingSpaces() == "a")
        #expect("\u{200B}x\u{200B}".trimmingSpaces() == "\u{200B}x\u{200B}")
    }
}
