import EmuPluginKit
import Synchronization

/// One shared copy of each distinct key policy text. Nearly every key keeps the account's default policy (about
/// 300 bytes); with 100,000 keys, separate copies would cost 30 MB for one string.
enum PolicyInterner {
    private static let texts = LockedBox<[String: String]>([:])

    static func intern(_ text: String) -> String {
        texts.withLock { table in
            if let shared = table[text] { return shared }
            if table.count > 10_000 { table.removeAll() }
            table[text] = text
            return text
        }
    }
}
