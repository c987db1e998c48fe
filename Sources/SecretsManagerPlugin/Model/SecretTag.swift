/// A tag on a secret. Secrets Manager keeps tags in the order they were first added and answers them so.
struct SecretTag: Sendable, Codable, Equatable {
    var key: String
    var value: String
}
