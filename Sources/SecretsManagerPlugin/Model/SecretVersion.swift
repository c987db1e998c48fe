/// One version of a secret: an immutable value and the staging labels currently attached to it.
///
/// AWS never changes a version's value; only its labels move. A version with no label is deprecated: still
/// listed with `IncludeDeprecated`, and removed when a secret collects too many of them.
struct SecretVersion: Sendable, Codable, Equatable {
    static let current = "AWSCURRENT"
    static let previous = "AWSPREVIOUS"
    static let pending = "AWSPENDING"

    /// The ClientRequestToken that created it, which AWS uses as the version id.
    var versionId: String
    var stages: [String]
    var createdDate: Double
    /// The day (midnight UTC) the value was last read, as AWS reports it; nil until the first read.
    var lastAccessedDate: Double?
    var value: EncryptedValue

    var isDeprecated: Bool { stages.isEmpty }
}
