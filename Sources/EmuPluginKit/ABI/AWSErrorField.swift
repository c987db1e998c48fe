/// A further member of an AWS error beyond its code and message, such as S3's `<BucketName>` or `<Key>`: SDKs
/// hand these to callers (boto3 puts them beside Code and Message in `response["Error"]`).
public struct AWSErrorField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// (ABI 1.5) The one reserved name a plugin may pass, spelled exactly so: not a member but the instruction to
    /// write a JSON error's message under `Message` instead of `message`, with the message as its value.
    public static let capitalizedMessage = "Message"

    /// The members the host writes itself in one protocol or another, or that SDKs read as the error's code or
    /// message (the JavaScript SDK reads `code` before `__type`), compared without case: a field may not stand in
    /// for them.
    static let reservedNames: Set<String> = ["code", "message", "requestid", "hostid", "type", "__type"]

    /// Whether `name` may be written as an XML element and a JSON member as it is: ASCII letters, digits and
    /// hyphens (S3's `<Content-MD5>`), starting with a letter (so nothing needs escaping), and not reserved.
    public static func isAllowed(name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64, !reservedNames.contains(name.lowercased()) else {
            return false
        }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        return isLetter(first) && name.utf8.allSatisfy {
            isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-")
        }
    }
}
