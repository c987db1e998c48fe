/// One deletion DeleteObject or an entry of DeleteObjects asks for, and what it did.
enum ObjectDeletion {
    /// A key, or one version of it, and the ETag its object must still have (S3's conditional delete).
    struct Request {
        var key: String
        var versionId: String?
        var condition: WriteConditions?
    }

    /// Whether a delete marker was made, or a marker was the version removed, and that marker's version id.
    struct Outcome {
        var deleteMarker = false
        var markerVersionId: String?
    }
}
