import EmuPluginKit

extension S3Service {
    /// PutBucketCors: replaces the bucket's rules; the body must come with its Content-MD5 or a checksum. 200.
    func putBucketCors(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.requireDocumentDigest(request, namingChecksums: false)
        let rules = try CORSDocument.parse(request.body)
        try updateBucket(name, context) { $0.cors = rules }
        return OperationOutput(body: [])
    }

    /// GetBucketCors: the rules; NoSuchCORSConfiguration when the bucket has none.
    func getBucketCors(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        guard let rules = try requireBucket(name, context).cors else {
            throw S3Errors.noSuchConfiguration("NoSuchCORSConfiguration", "The CORS configuration does not exist",
                                               bucket: name)
        }
        return CORSDocument.output(rules)
    }

    /// DeleteBucketCors: 204, whether or not the bucket had rules.
    func deleteBucketCors(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        try updateBucket(name, context) { $0.cors = nil }
        return OperationOutput(body: [], status: 204)
    }

    /// A browser's preflight (OPTIONS): 200 with the CORS headers of the first rule that allows the origin, the
    /// requested method and every requested header; S3's 400 without an Origin, and its 403 AccessForbidden when
    /// the bucket does not exist, has no rules, or no rule allows the request.
    func preflight(_ request: S3Request, bucket name: String) throws(AWSError) -> OperationOutput {
        guard let origin = request.header("Origin"), !origin.isEmpty else {
            throw AWSError("BadRequest", "Insufficient information. Origin request header needed.")
        }
        let requested = request.header("Access-Control-Request-Method")
        func forbidden(_ message: String, method: String, resource: String) -> AWSError {
            AWSError("AccessForbidden", "CORSResponse: " + message, status: 403,
                     fields: [AWSErrorField("Method", method), AWSErrorField("ResourceType", resource)])
        }
        guard let bucket = store.read({ $0.buckets[name] }) else {
            throw forbidden("Bucket not found", method: "OPTIONS", resource: "BUCKET")
        }
        guard let rules = bucket.cors else {
            throw forbidden("CORS is not enabled for this bucket.", method: requested ?? "OPTIONS", resource: "BUCKET")
        }
        let headers = Self.requestedHeaders(request)
        // Without Access-Control-Request-Method there is nothing to allow (AWS's answer is not recorded).
        guard let requested, let headers,
            let rule = rules.first(where: { $0.allows(origin: origin, method: requested, requestHeaders: headers) })
        else {
            throw forbidden("This CORS request is not allowed. This is usually because the evalution of Origin, "
                + "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
                + "whitelisted by the resource's CORS spec.", method: requested ?? "OPTIONS",
                resource: request.key == nil ? "BUCKET" : "OBJECT")
        }
        var answer = Self.corsHeaders(rule, origin: origin)
        if !headers.isEmpty {
            answer.append(("Access-Control-Allow-Headers", headers.joined(separator: ", ")))
        }
        return OperationOutput(body: [], headers: answer)
    }

    /// The CORS headers an actual request gets when it carries an Origin that a rule of its bucket allows (for its
    /// method, or the Access-Control-Request-Method it names, and the Access-Control-Request-Headers it names);
    /// none otherwise. The request is served either way, as S3 serves it.
    func corsHeaders(for request: S3Request) -> [(String, String)] {
        guard let origin = request.header("Origin"), !origin.isEmpty, let name = request.bucket,
            let rules = store.read({ $0.buckets[name]?.cors }), let headers = Self.requestedHeaders(request)
        else { return [] }
        let method = request.header("Access-Control-Request-Method") ?? request.method
        guard let rule = rules.first(where: { $0.allows(origin: origin, method: method, requestHeaders: headers) })
        else { return [] }
        return Self.corsHeaders(rule, origin: origin)
    }

    /// At most this many distinct request headers are matched; a request naming more is allowed by no rule (ours:
    /// it bounds the work an unauthenticated preflight can cause).
    static let maximumRequestedHeaders = 100

    /// `Access-Control-Request-Headers`, split at commas, lower-cased and without repeats, in request order; nil
    /// when it names more than `maximumRequestedHeaders`.
    private static func requestedHeaders(_ request: S3Request) -> [String]? {
        var seen = Set<String>()
        var headers: [String] = []
        for name in (request.header("Access-Control-Request-Headers") ?? "").split(separator: ",") {
            let header = name.trimmingSpaces().lowercased()
            guard !header.isEmpty, seen.insert(header).inserted else { continue }
            headers.append(header)
            if headers.count > maximumRequestedHeaders { return nil }
        }
        return headers
    }

    /// What a matching rule tells the browser: the origin (or `*` for a rule open to every origin, which then
    /// allows no credentials), all of the rule's methods, its exposed headers and its max age.
    private static func corsHeaders(_ rule: CORSRule, origin: String) -> [(String, String)] {
        let open = rule.allowedOrigins.contains("*")
        var headers = [("Access-Control-Allow-Origin", open ? "*" : origin),
                       ("Access-Control-Allow-Methods", rule.allowedMethods.joined(separator: ", "))]
        if !open { headers.append(("Access-Control-Allow-Credentials", "true")) }
        if !rule.exposeHeaders.isEmpty {
            headers.append(("Access-Control-Expose-Headers", rule.exposeHeaders.joined(separator: ", ")))
        }
        if let maxAge = rule.maxAgeSeconds { headers.append(("Access-Control-Max-Age", String(maxAge))) }
        headers.append(("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"))
        return headers
    }
}
