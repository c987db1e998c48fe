/// One tag of an object or a bucket: a key and a value, both case-sensitive.
struct S3Tag: Codable, Sendable, Equatable {
    var key: String
    var value: String
}
