import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One request as S3 reads it: the bucket and key from the path or from the Host name, the decoded query, the
/// headers and the body (with `aws-chunked` framing removed).
struct S3Request: Sendable {
    let method: String
    /// nil for the service itself (ListBuckets).
    let bucket: String?
    /// nil for a bucket-level request.
    let key: String?
    let query: [String: String]
    let headers: [(String, String)]
    /// The body of any request but an object upload, in memory and unframed (XML documents).
    let body: [UInt8]
    /// The body of an object upload (a PUT to a key without x-amz-copy-source: PutObject, UploadPart), which
    /// may stream.
    let upload: UploadBody
    /// The Host header as the client sent it, for the Location S3 answers.
    let host: String

    /// - Throws: InvalidArgument for an `aws-chunked` body whose framing is broken.
    init(_ view: HTTPRequestView) throws(AWSError) {
        method = view.method.uppercased()
        headers = view.headers
        query = FormDecoding.dictionary(view.query)
        host = view.header("Host") ?? ""
        var path = Substring(view.path)
        if path.hasPrefix("http://") || path.hasPrefix("https://"), let scheme = path.firstRange(of: "://") {
            // An absolute-form request target: drop "http://host".
            path = path[scheme.upperBound...].drop { $0 != "/" }
        }
        if path.hasPrefix("/") { path = path.dropFirst() }
        if let bucket = Self.virtualHostBucket(host) {
            self.bucket = bucket
            key = path.isEmpty ? nil : PercentEncoding.decode(String(path))
        } else if path.isEmpty {
            bucket = nil
            key = nil
        } else if let slash = path.firstIndex(of: "/") {
            bucket = PercentEncoding.decode(String(path[..<slash]))
            let rest = path[path.index(after: slash)...]
            key = rest.isEmpty ? nil : PercentEncoding.decode(String(rest))
        } else {
            bucket = PercentEncoding.decode(String(path))
            key = nil
        }
        if method == "PUT", key != nil, view.header("x-amz-copy-source") == nil {
            upload = try UploadBody(view)
            if case .memory(let bytes, _) = upload { body = bytes } else { body = [] }
        } else {
            // Only uploads stream; anything else that outgrew the host's in-memory limit is no S3 document.
            guard view.bodyStream == nil else { throw S3Errors.maxMessageLengthExceeded() }
            let decoded = try AWSChunked.decodeIfFramed(view.body, headers: view)
            body = decoded.body
            upload = .memory(body, trailers: decoded.trailers)
        }
    }

    /// The first header with this name, compared case-insensitively.
    func header(_ name: String) -> String? {
        for (key, value) in headers where key.count == name.count && key.lowercased() == name.lowercased() {
            return value
        }
        return nil
    }

    /// Whether the query names the sub-resource or parameter `name` (`?uploads`, `?encryption`, `?uploadId=…`).
    func has(_ name: String) -> Bool { query[name] != nil }

    /// The `x-amz-meta-*` headers without their prefix, names lower-cased as S3 stores them.
    var userMetadata: [String: String] {
        var metadata: [String: String] = [:]
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard lowered.hasPrefix("x-amz-meta-") else { continue }
            let key = String(lowered.dropFirst("x-amz-meta-".count))
            if let existing = metadata[key] { metadata[key] = existing + "," + value } else { metadata[key] = value }
        }
        return metadata
    }

    /// The bucket named in a virtual-hosted-style Host (`bucket.s3.amazonaws.com`, `bucket.s3.<region>.amazonaws.com`,
    /// `bucket.localhost`, `bucket.s3.localhost.localstack.cloud`); nil for path-style hosts (an IP address,
    /// `localhost`, `s3.amazonaws.com`).
    static func virtualHostBucket(_ hostHeader: String) -> String? {
        var host = hostHeader.lowercased()
        if host.hasPrefix("[") { return nil }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        if host.allSatisfy({ $0 == "." || $0.isASCII && $0.isNumber }) { return nil }
        var prefix: Substring?
        for suffix in [".s3.localhost.localstack.cloud", ".localhost.localstack.cloud", ".s3.amazonaws.com",
                       ".localhost"] where host.hasSuffix(suffix) {
            prefix = host.dropLast(suffix.count)
            break
        }
        if prefix == nil, host.hasSuffix(".amazonaws.com") {
            let head = host.dropLast(".amazonaws.com".count)
            // The last ".s3." or ".s3-" (searched from the end: "my.s3.s3.us-east-1" is bucket "my.s3").
            var index = head.endIndex
            while index > head.startIndex {
                index = head.index(before: index)
                let rest = head[index...]
                if rest.hasPrefix(".s3.") || rest.hasPrefix(".s3-") {
                    prefix = head[..<index]
                    break
                }
            }
        }
        guard let prefix, !prefix.isEmpty, prefix != "s3" else { return nil }
        return String(prefix)
    }
}
