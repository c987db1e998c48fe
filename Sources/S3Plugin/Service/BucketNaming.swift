/// S3's naming rules for general purpose buckets, and the regions a LocationConstraint may name.
enum BucketNaming {
    /// Whether `name` is a valid bucket name: 3 to 63 characters of lower-case letters, digits, dots and hyphens;
    /// starting and ending with a letter or digit; no two adjacent dots; not shaped like an IP address; none of
    /// the prefixes and suffixes S3 reserves.
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isLowerOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard bytes.allSatisfy({ isLowerOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
            isLowerOrDigit(bytes.first!), isLowerOrDigit(bytes.last!), !name.contains("..")
        else { return false }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) && (Int($0) ?? Int.max) <= 255 }) {
            return false
        }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) { return false }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) {
            return false
        }
        return true
    }

    /// The regions S3 accepts as a LocationConstraint (`EU` is S3's old name for eu-west-1).
    static let regions: Set<String> = [
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
        "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
        "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1",
        "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-2", "us-gov-east-1",
        "us-gov-west-1", "us-west-1", "us-west-2", "EU",
    ]
}
