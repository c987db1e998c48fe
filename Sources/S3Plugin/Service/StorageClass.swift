import EmuPluginKit

/// S3's storage classes; the emulator stores every class alike, and answers as S3 does for the archive classes.
enum StorageClass {
    static let valid: Set<String> = [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
        "DEEP_ARCHIVE", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS",
    ]
    /// Classes whose objects must be restored before GET.
    static let archived: Set<String> = ["GLACIER", "DEEP_ARCHIVE"]

    /// - Throws: InvalidStorageClass for a class S3 does not have.
    static func of(_ request: S3Request) throws(AWSError) -> String {
        guard let value = request.header("x-amz-storage-class") else { return "STANDARD" }
        guard valid.contains(value) else {
            // OUTPOSTS is S3 on Outposts' own class, refused by a regional bucket as AWS refuses it.
            throw AWSError("InvalidStorageClass", "The storage class you specified is not valid", status: 400,
                           fields: [AWSErrorField("StorageClassRequested", value)])
        }
        return value
    }
}
