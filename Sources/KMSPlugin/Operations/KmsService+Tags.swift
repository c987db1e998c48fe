import EmuPluginKit

extension KmsService {
    /// Tags from a request, checked against AWS's rules beyond the model's lengths.
    func validatedTags(_ list: [JSONValue]) throws(AWSError) -> [KmsTag] {
        var tags: [KmsTag] = []
        var seen = Set<String>()
        for entry in list {
            let key = entry["TagKey"]?.stringValue ?? ""
            let value = entry["TagValue"]?.stringValue ?? ""
            if key.lowercased().hasPrefix("aws:") {
                throw AWSError("TagException", "Tags beginning with aws: are reserved")
            }
            guard seen.insert(key).inserted else { throw AWSError("TagException", "Duplicate tag keys") }
            tags.append(KmsTag(key: key, value: value))
        }
        if tags.filter({ $0.key != CustomKeyTags.idTag }).count > 50 {
            throw AWSError("TagException", "Too many tags")
        }
        return tags
    }

    func tagResource(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        let tags = try validatedTags(input["Tags"]?.arrayValue ?? [])
        try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            try KeyStateRule.management.check(key)
            var merged = key.tags
            for tag in tags {
                if let index = merged.firstIndex(where: { $0.key == tag.key }) {
                    merged[index].value = tag.value
                } else {
                    merged.append(tag)
                }
            }
            guard merged.count <= 50 else { throw AWSError("TagException", "Too many tags") }
            key.tags = merged
        }
        return [:]
    }

    func untagResource(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        let removed = Set((input["TagKeys"]?.arrayValue ?? []).compactMap(\.stringValue))
        try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            try KeyStateRule.management.check(key)
            key.tags.removeAll { removed.contains($0.key) }
        }
        return [:]
    }

    func listResourceTags(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        let page = try Pagination(input, defaultLimit: 50)
        var output: [String: JSONValue] = [:]
        page.page(key.tags, into: &output, member: "Tags") { tag in
            ["TagKey": .string(tag.key), "TagValue": .string(tag.value)]
        }
        return .object(output)
    }
}
