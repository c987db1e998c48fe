/// Trimming without Foundation's `CharacterSet`, which FoundationEssentials lacks: the host and plugins import only
/// FoundationEssentials so that Foundation, its ICU data and its internationalisation library are not loaded at all
/// (megabytes of an idle host's memory).
extension StringProtocol {
    /// Without the spaces and tabs at either end (HTTP's optional whitespace around a header value or list item): the
    /// set `CharacterSet.whitespaces` documents, Unicode's spaces (Zs) and the tab.
    public func trimmingSpaces() -> String {
        trimming { $0.isWhitespace && !$0.isNewline }
    }

    /// Without whitespace and line breaks at either end: the set `CharacterSet.whitespacesAndNewlines` documents.
    public func trimmingWhitespace() -> String {
        trimming { $0.isWhitespace }
    }

    private func trimming(_ drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
