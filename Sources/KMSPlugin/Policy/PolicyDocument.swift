import EmuPluginKit

/// A parsed, grammar-checked key policy.
///
/// Parse a policy once when CreateKey, PutKeyPolicy or ReplicateKey receives it (that is where AWS rejects a
/// bad one, with `MalformedPolicyDocumentException`), store the text as given (GetKeyPolicy returns it
/// verbatim), and parse it again (or keep the parsed value) to evaluate requests with `PolicyEvaluator`.
struct PolicyDocument: Sendable, Equatable {
    /// KMS's key policy document quota: 32 KB. The service model allows 131072 characters, so a longer
    /// policy passes shape validation and is refused here with `LimitExceededException`.
    static let maximumSize = 32_768
    static let versions = ["2012-10-17", "2008-10-17"]

    /// `Version` as written, or nil when the document has none (IAM then reads it as 2008-10-17).
    var version: String?
    var id: String?
    var statements: [PolicyStatement]

    /// Whether `${...}` policy variables are substituted: only in version 2012-10-17 documents.
    var usesPolicyVariables: Bool { version == "2012-10-17" }

    /// Parses and checks a policy as KMS does, in AWS's order: size, JSON, grammar, then principals.
    /// - Parameter requireResource: whether every statement needs `Resource` or `NotResource`. KMS has
    ///   rejected statements without one since 18 August 2025 (before, they were accepted and had no
    ///   effect); pass false only to read policies stored before that rule.
    /// - Throws: `LimitExceededException` above 32768 bytes; `MalformedPolicyDocumentException` otherwise.
    init(parsing text: String, requireResource: Bool = true) throws(AWSError) {
        guard text.utf8.count <= Self.maximumSize else {
            throw AWSError(
                "LimitExceededException",
                "The key policy exceeds the maximum size of \(Self.maximumSize) bytes for a key policy document.")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(text.utf8))
        } catch {
            throw Self.malformed("The key policy is not valid JSON.")
        }
        self = try PolicyParser(requireResource: requireResource).document(json)
    }

    init(version: String?, id: String?, statements: [PolicyStatement]) {
        self.version = version
        self.id = id
        self.statements = statements
    }

    /// AWS's error for a policy it refuses.
    static func malformed(_ message: String) -> AWSError {
        AWSError("MalformedPolicyDocumentException", message)
    }
}
