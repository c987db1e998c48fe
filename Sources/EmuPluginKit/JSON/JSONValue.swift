/// A JSON document as the AWS JSON protocols carry it.
///
/// Operations read their input through this type rather than through `Codable` structs because AWS validates
/// the raw shape first (types, required members, lengths) and words its errors after the member names; a
/// decoder that fails on the first mismatch cannot produce those messages.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value as an integer; a double with no fraction counts, as JSON does not tell them apart.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.0e18: return Int64(value)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        // Sized at once: grown member by member, a three-member answer was hashed twice over as it grew.
        var members = [String: JSONValue](minimumCapacity: elements.count)
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}

extension JSONValue {
    /// A member the operation cannot do without, even where the service model leaves it optional (newer models
    /// relax some, e.g. Decrypt's CiphertextBlob for DryRun): absent, it is AWS's "must not be null" error.
    public func requiredString(_ member: String) throws(AWSError) -> String {
        guard let value = self[member]?.stringValue else { throw Self.missing(member) }
        return value
    }

    /// A required blob member, decoded from base64.
    public func requiredBlob(_ member: String) throws(AWSError) -> [UInt8] {
        guard let text = self[member]?.stringValue else { throw Self.missing(member) }
        guard let bytes = Base64.decode(text) else { throw AWSError.serialization("Value at '\(member)' is not valid base64.") }
        return bytes
    }

    private static func missing(_ member: String) -> AWSError {
        AWSError.validation("1 validation error detected: Value null at '\(ShapeValidator.memberPath(member, under: ""))' "
            + "failed to satisfy constraint: Member must not be null")
    }
}
