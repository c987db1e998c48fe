/// An alias: a friendly name for one key in the same account and region.
struct KmsAlias: Sendable {
    var name: String
    var targetKeyId: String
    var creationDate: Double
    var lastUpdatedDate: Double
}
