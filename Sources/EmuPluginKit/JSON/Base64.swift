#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Base64 as AWS's JSON protocols carry blobs.
public enum Base64 {
    /// Decodes standard base64; tolerates missing padding, as botocore never sends it but other clients may.
    public static func decode(_ text: String) -> [UInt8]? {
        if let data = Data(base64Encoded: text) { return Array(data) }
        let remainder = text.utf8.count % 4
        guard remainder != 0 else { return nil }
        return Data(base64Encoded: text + String(repeating: "=", count: 4 - remainder)).map(Array.init)
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
