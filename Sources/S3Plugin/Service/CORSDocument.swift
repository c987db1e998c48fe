import EmuPluginKit

/// PutBucketCors's `<CORSConfiguration>`: parsed into rules, checked as S3 checks it, and written back for
/// GetBucketCors. Codes and messages are those AWS answered recorded requests (LocalStack's snapshots, users'
/// quoted errors); where none was found the wording is ours and says so.
enum CORSDocument {
    static let maximumRules = 100
    static let methods: Set<String> = ["GET", "PUT", "HEAD", "POST", "DELETE"]
    private static let ruleElements: Set<String> = [
        "ID", "AllowedHeader", "AllowedMethod", "AllowedOrigin", "ExposeHeader", "MaxAgeSeconds",
    ]

    /// S3's limit on a CORS configuration's size.
    static let maximumBytes = 64 * 1024

    static func parse(_ bytes: [UInt8]) throws(AWSError) -> [CORSRule] {
        // The limit is documented; the refusal's wording is ours.
        guard bytes.count <= maximumBytes else {
            throw S3Errors.invalidRequest("The CORS configuration must not be larger than 64 KB.")
        }
        let document = try XMLTag.parse(bytes)
        guard document.name == "CORSConfiguration", document.children.allSatisfy({ $0.name == "CORSRule" }) else {
            throw S3Errors.malformedXML()
        }
        // S3 documents the limit of 100 but no answer for more; MalformedXML is ours.
        guard !document.children.isEmpty, document.children.count <= maximumRules else { throw S3Errors.malformedXML() }
        var rules: [CORSRule] = []
        for element in document.children { rules.append(try parseRule(element)) }
        return rules
    }

    private static func parseRule(_ element: XMLTag) throws(AWSError) -> CORSRule {
        guard element.children.allSatisfy({ ruleElements.contains($0.name) && $0.children.isEmpty }) else {
            throw S3Errors.malformedXML()
        }
        let texts = { (name: String) in element.children(name).map(\.text) }
        let methods = texts("AllowedMethod")
        let origins = texts("AllowedOrigin")
        guard !methods.isEmpty, !origins.isEmpty, element.children("ID").count <= 1,
            element.children("MaxAgeSeconds").count <= 1
        else { throw S3Errors.malformedXML() }
        if let unsupported = methods.first(where: { !Self.methods.contains($0) }) {
            throw S3Errors.invalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is "
                + unsupported)
        }
        if let origin = origins.first(where: { $0.filter { $0 == "*" }.count > 1 }) {
            throw S3Errors.invalidRequest("AllowedOrigin \"\(origin)\" can not have more than one wildcard.")
        }
        let headers = texts("AllowedHeader")
        // Worded after AllowedOrigin's: S3 documents the rule, no recorded answer was found.
        if let header = headers.first(where: { $0.filter { $0 == "*" }.count > 1 }) {
            throw S3Errors.invalidRequest("AllowedHeader \"\(header)\" can not have more than one wildcard.")
        }
        // Values are written back into response headers, so they may not hold control characters (ours: S3's
        // answer is not recorded).
        if let bad = element.children.first(where: { $0.text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }) {
            throw S3Errors.invalidRequest("The CORS configuration's \(bad.name) may not contain control characters.")
        }
        let id = element.child("ID")?.text
        // The wording is lifecycle's, recorded there.
        if let id, id.unicodeScalars.count > S3Errors.maximumRuleIdLength { throw S3Errors.ruleIdTooLong() }
        var maxAge: Int?
        if let text = element.child("MaxAgeSeconds")?.text {
            guard let value = Int32(text.trimmingSpaces()), value >= 0 else { throw S3Errors.malformedXML() }
            maxAge = Int(value)
        }
        return CORSRule(id: id, allowedHeaders: headers, allowedMethods: methods, allowedOrigins: origins,
                        exposeHeaders: texts("ExposeHeader"), maxAgeSeconds: maxAge)
    }

    /// GetBucketCors's answer: each rule with the members it was given, in the case it was given.
    static func output(_ rules: [CORSRule]) -> OperationOutput {
        var xml = XMLWriter(root: "CORSConfiguration")
        for rule in rules {
            xml.group("CORSRule") { xml in
                xml.element("ID", rule.id)
                for header in rule.allowedHeaders { xml.element("AllowedHeader", header) }
                for method in rule.allowedMethods { xml.element("AllowedMethod", method) }
                for origin in rule.allowedOrigins { xml.element("AllowedOrigin", origin) }
                for header in rule.exposeHeaders { xml.element("ExposeHeader", header) }
                if let maxAge = rule.maxAgeSeconds { xml.element("MaxAgeSeconds", maxAge) }
            }
        }
        return xml.output()
    }
}
