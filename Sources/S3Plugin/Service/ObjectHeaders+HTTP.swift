import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ObjectHeaders {
    /// The largest user metadata S3 accepts: 2 KB of names and values.
    static let maximumMetadataBytes = 2048

    /// Reads an upload's representation headers and `x-amz-meta-*` metadata. Its tags are the caller's to take
    /// (`tags(of:)`): a copy may keep the source's whatever else it replaces.
    /// - Throws: MetadataTooLarge over 2 KB of user metadata.
    init(_ request: S3Request) throws(AWSError) {
        var encoding = request.header("Content-Encoding")
        if let value = encoding, value.lowercased().contains("aws-chunked") {
            // The framing was removed from the body; it is not part of the object's representation.
            let rest = value.split(separator: ",").map { $0.trimmingSpaces() }
                .filter { $0.lowercased() != "aws-chunked" && !$0.isEmpty }
            encoding = rest.isEmpty ? nil : rest.joined(separator: ",")
        }
        let metadata = request.userMetadata
        let metadataBytes = metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard metadataBytes <= Self.maximumMetadataBytes else {
            throw AWSError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.",
                           status: 400)
        }
        self.init(contentType: request.header("Content-Type") ?? "binary/octet-stream",
                  cacheControl: request.header("Cache-Control"),
                  contentDisposition: request.header("Content-Disposition"), contentEncoding: encoding,
                  contentLanguage: request.header("Content-Language"), expires: request.header("Expires"),
                  websiteRedirectLocation: request.header("x-amz-website-redirect-location"), metadata: metadata)
    }

    /// The tags of a request's `x-amz-tagging`; nil without the header or tags.
    static func tags(of request: S3Request) throws(AWSError) -> [S3Tag]? {
        guard let header = request.header("x-amz-tagging") else { return nil }
        let tags = try TagSet.parse(header: header)
        return tags.isEmpty ? nil : tags
    }

    /// The headers GET and HEAD answer with, `response-*` query overrides applied. Both count the tags: HEAD's
    /// `x-amz-tagging-count` is in S3's current model, though AWS answered a request recorded in January 2025
    /// without it.
    func responseHeaders(overrides query: [String: String] = [:]) -> [(String, String)] {
        var headers: [(String, String)] = []
        func add(_ name: String, _ value: String?, override: String) {
            if let value = query[override] ?? value { headers.append((name, value)) }
        }
        add("Content-Type", contentType, override: "response-content-type")
        add("Cache-Control", cacheControl, override: "response-cache-control")
        add("Content-Disposition", contentDisposition, override: "response-content-disposition")
        add("Content-Encoding", contentEncoding, override: "response-content-encoding")
        add("Content-Language", contentLanguage, override: "response-content-language")
        add("Expires", expires, override: "response-expires")
        if let websiteRedirectLocation { headers.append(("x-amz-website-redirect-location", websiteRedirectLocation)) }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-amz-meta-\(name)", value)) }
        if let tags { headers.append(("x-amz-tagging-count", String(tags.count))) }
        return headers
    }
}
