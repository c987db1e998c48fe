import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension S3Service {
    /// ListBuckets: the caller's buckets by name, with S3's optional prefix, region filter and pages.
    func listBuckets(_ request: S3Request, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let prefix = request.query["prefix"]
        let regionFilter = request.query["bucket-region"]
        if let regionFilter, regionFilter == "EU" || !(BucketNaming.regions.contains(regionFilter) || regionFilter == "us-east-1") {
            throw S3Errors.invalidArgument("Argument value \(regionFilter) is not a valid AWS Region",
                                           argument: ("bucket-region", regionFilter))
        }
        var limit = 10000
        if let text = request.query["max-buckets"] {
            guard let value = Int(text), (1...10000).contains(value) else {
                throw S3Errors.invalidArgument("Argument max-buckets must be an integer between 1 and 10000",
                                               argument: ("max-buckets", text))
            }
            limit = value
        }
        let after = try request.query["continuation-token"].map { token throws(AWSError) -> String in
            guard let bytes = Base64.decode(token) else {
                throw S3Errors.invalidArgument("The continuation token provided is incorrect",
                                               argument: ("continuation-token", token))
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let buckets = store.read { state in
            state.buckets.values.filter { bucket in
                bucket.accountId == context.accountId && prefix.map { bucket.name.hasPrefix($0) } ?? true
                    && regionFilter.map { bucket.region == $0 } ?? true && after.map { bucket.name > $0 } ?? true
            }
        }.sorted { $0.name < $1.name }
        let page = buckets.prefix(limit)
        var xml = XMLWriter(root: "ListAllMyBucketsResult")
        xml.group("Buckets") { xml in
            for bucket in page {
                xml.group("Bucket") { xml in
                    xml.element("Name", bucket.name)
                    xml.element("CreationDate", HTTPDate.iso8601(bucket.creationDate))
                    xml.element("BucketRegion", bucket.region)
                }
            }
        }
        xml.group("Owner") { xml in xml.element("ID", Self.canonicalUserId(context.accountId)) }
        if buckets.count > page.count, let last = page.last {
            xml.element("ContinuationToken", Base64.encode(Array(last.name.utf8)))
        }
        xml.element("Prefix", prefix)
        return xml.output()
    }

    /// CreateBucket, with S3's LocationConstraint rules: the us-east-1 endpoint creates a bucket in any region,
    /// any other regional endpoint only in its own.
    func createBucket(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        guard BucketNaming.isValid(name) else { throw S3Errors.invalidBucketName(name) }
        if request.header("x-amz-bucket-object-lock-enabled")?.lowercased() == "true" {
            throw S3Errors.notImplemented("S3 Object Lock")
        }
        try ChecksumRequest.checkDocumentDigests(request)
        var constraint: String?
        if request.body.contains(where: { $0 > 0x20 }) {
            let document = try XMLTag.parse(request.body)
            guard document.name == "CreateBucketConfiguration" else { throw S3Errors.malformedXML() }
            constraint = document.value("LocationConstraint").flatMap { $0.isEmpty ? nil : $0 }
        }
        let requestRegion = context.region
        if let constraint {
            // A regional endpoint takes only its own region ("EU" being eu-west-1's old name), and refuses anything
            // else as incompatible, an invalid name included; the us-east-1 endpoint takes any valid region.
            if requestRegion != "us-east-1", (constraint == "EU" ? "eu-west-1" : constraint) != requestRegion {
                throw AWSError("IllegalLocationConstraintException", "The \(constraint) location constraint is "
                    + "incompatible for the region specific endpoint this request was sent to.", status: 400)
            }
            guard constraint != "us-east-1", BucketNaming.regions.contains(constraint) else {
                throw AWSError("InvalidLocationConstraint", "The specified location-constraint is not valid",
                               status: 400, fields: [AWSErrorField("LocationConstraint", constraint)])
            }
        } else if requestRegion != "us-east-1" {
            throw AWSError("IllegalLocationConstraintException", "The unspecified location constraint is "
                + "incompatible for the region specific endpoint this request was sent to.", status: 400)
        }
        let region = constraint.map { $0 == "EU" ? "eu-west-1" : $0 } ?? "us-east-1"
        let now = self.now
        try store.update { state throws(AWSError) in
            if let existing = state.buckets[name] {
                guard existing.accountId == context.accountId else { throw S3Errors.bucketAlreadyExists(name) }
                // S3 keeps this legacy answer in North Virginia only: re-creating your own bucket there is a 200.
                if existing.region == "us-east-1", region == "us-east-1" { return }
                throw S3Errors.bucketAlreadyOwnedByYou(name)
            }
            // Judged only for a bucket this request creates: the answers about an existing name come first.
            try ObjectOwnership.checkNewBucket(request, accountId: context.accountId)
            let bucket = Bucket(name: name, accountId: context.accountId, region: region, creationDate: now,
                                encryption: nil, legacyConstraint: constraint == "EU" ? "EU" : nil)
            try S3Persistence.bucket(context, name, bucket)
            state.buckets[name] = bucket
        }
        let location = region == "us-east-1" ? "/\(name)" : "http://\(name).s3.amazonaws.com/"
        return OperationOutput(body: [], headers: [("Location", location)])
    }

    /// HeadBucket: 200 with the bucket's region, 404 or 403 (without a body, as for every HEAD).
    func headBucket(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        return OperationOutput(body: [], headers: [("x-amz-bucket-region", bucket.region),
                                                   ("x-amz-access-point-alias", "false"),
                                                   ("Content-Type", "application/xml")])
    }

    /// DeleteBucket: only an empty bucket; its unfinished multipart uploads go with it.
    func deleteBucket(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        let retired = try store.update { state throws(AWSError) -> [String] in
            guard state.buckets[name] != nil else { throw S3Errors.noSuchBucket(name) }
            guard !state.hasVersions(bucket: name) else { throw S3Errors.bucketNotEmpty(name) }
            var blobIds: [String] = []
            for upload in state.uploads.values where upload.bucket == name {
                blobIds += try state.removeUpload(upload.uploadId, context)
            }
            try S3Persistence.bucket(context, name, nil)
            state.buckets[name] = nil
            state.objects[name] = nil
            state.history[name] = nil
            return blobIds
        }
        blobs.retire(retired)
        return OperationOutput(body: [], status: 204)
    }

    /// GetBucketLocation: the region, empty for us-east-1 (S3's historical answer).
    func getBucketLocation(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        let value = bucket.region == "us-east-1" ? "" : xmlEscaped(bucket.legacyConstraint ?? bucket.region)
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<LocationConstraint xmlns=\"\(XMLWriter.namespace)\">\(value)</LocationConstraint>"
        return OperationOutput(body: Array(xml.utf8), headers: [("Content-Type", "application/xml")])
    }
}
