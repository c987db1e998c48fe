#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Validates a request against AWS's service model before the operation runs, and words the failures exactly
/// as AWS's front ends do (`1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy
/// constraint: Member must have value less than or equal to 1024`).
///
/// The model comes from botocore (see Tools/generate-service-model.py), so every member's required flag,
/// length, range, enum and pattern is AWS's own; no operation re-checks them by hand.
public final class ShapeValidator: Sendable {
    struct Shape: Decodable, Sendable {
        var type: String
        var min: Double?
        var max: Double?
        var `enum`: [String]?
        var pattern: String?
        var sensitive: Bool?
        var required: [String]?
        var members: [String: String]?
        var member: String?
        var key: String?
        var value: String?
    }

    struct Model: Decodable, Sendable {
        var apiVersion: String
        var operations: [String: String?]
        var shapes: [String: Shape]
    }

    private let model: Model
    /// The model's shapes resolved into a graph once, so a request's check does no name lookups, string
    /// comparisons of type names or member-name lowercasing: it runs before every operation.
    private let nodes: [String: Node]

    /// One shape, resolved. Built and linked in `init`, never changed after (hence `@unchecked Sendable`).
    final class Node: @unchecked Sendable {
        enum Kind { case structure, list, map, string, blob, integer, double, boolean, timestamp, other }
        let kind: Kind
        let typeName: String
        let min: Double?
        let max: Double?
        let allowed: Set<String>?
        let allowedInOrder: [String]
        let pattern: ModelPattern?
        let sensitive: Bool
        let required: [String]
        /// Structure members in name order, the order of AWS's messages: wire name, the name as the messages
        /// spell it (`keyId`), shape.
        var members: [(name: String, path: String, node: Node)] = [] {
            didSet {
                memberPositions = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1.name, $0) })
                requiredPositions = required.map { memberPositions[$0] }
            }
        }
        /// Each member's place in `members`, by wire name: a request's members are looked up here, one lookup
        /// each, rather than each of the shape's members in the request.
        private(set) var memberPositions: [String: Int] = [:]
        /// The place in `members` of each of `required` (nil for a member whose shape the model lacks).
        private(set) var requiredPositions: [Int?] = []
        /// A list's element or a map's value.
        var element: Node?

        init(_ shape: Shape, pattern: ModelPattern?) {
            switch shape.type {
            case "structure": kind = .structure
            case "list": kind = .list
            case "map": kind = .map
            case "string": kind = .string
            case "blob": kind = .blob
            case "integer", "long": kind = .integer
            case "double", "float": kind = .double
            case "boolean": kind = .boolean
            case "timestamp": kind = .timestamp
            default: kind = .other
            }
            typeName = shape.type
            min = shape.min
            max = shape.max
            allowed = shape.enum.map(Set.init)
            allowedInOrder = shape.enum ?? []
            self.pattern = pattern
            sensitive = shape.sensitive == true
            required = shape.required ?? []
            requiredPositions = required.map { _ in nil }
        }
    }

    /// - Parameter json: the generated model text.
    public init(modelJSON json: String) {
        do {
            model = try JSONDecoder().decode(Model.self, from: Data(json.utf8))
        } catch {
            fatalError("The generated service model does not parse: \(error)")
        }
        // One ModelPattern per distinct pattern, so each is compiled once however many shapes share it.
        var patterns: [String: ModelPattern] = [:]
        var nodes: [String: Node] = [:]
        for (name, shape) in model.shapes {
            let pattern = shape.pattern.map { text in
                let shared = patterns[text, default: ModelPattern(text)]
                patterns[text] = shared
                return shared
            }
            nodes[name] = Node(shape, pattern: pattern)
        }
        for (name, shape) in model.shapes {
            let node = nodes[name]!
            node.members = (shape.members ?? [:]).sorted(by: { $0.key < $1.key }).compactMap { member, shapeName in
                nodes[shapeName].map { (member, Self.memberPath(member, under: ""), $0) }
            }
            node.element = (shape.member ?? shape.value).flatMap { nodes[$0] }
        }
        self.nodes = nodes
        operationInputs = model.operations.compactMapValues { shapeName in shapeName.flatMap { nodes[$0] } }
    }

    /// Each operation's input shape, resolved, by operation name (one lookup per request).
    private let operationInputs: [String: Node]

    /// The operations the model names, so a plugin can tell which it has not implemented.
    public var operationNames: [String] { model.operations.keys.sorted() }

    /// Checks `input` for `operation`.
    /// - Throws: `SerializationException` when a member has the wrong JSON type or is not valid base64;
    ///   `ValidationException` listing every constraint that fails.
    public func validate(_ operation: String, _ input: JSONValue) throws(AWSError) {
        guard let node = operationInputs[operation] else { return }
        guard case .object = input else {
            throw AWSError.serialization("Expected a JSON object for the \(operation) request.")
        }
        var failures: [String] = []
        try check(input, node: node, path: { "" }, failures: &failures)
        guard !failures.isEmpty else { return }
        let count = failures.count
        throw AWSError.validation(
            "\(count) validation error\(count == 1 ? "" : "s") detected: " + failures.joined(separator: "; "))
    }

    /// `KeyId` → `keyId`: AWS's messages name members in lower camel case.
    static func memberPath(_ name: String, under path: String) -> String {
        let lowered = name.prefix(1).lowercased() + name.dropFirst()
        return path.isEmpty ? lowered : "\(path).\(lowered)"
    }

    private static func join(_ path: String, _ member: String) -> String {
        path.isEmpty ? member : path + "." + member
    }

    /// `path` is computed only when a message needs it: most requests pass, and building every member's path
    /// cost more than checking it.
    private func check(_ value: JSONValue, node: Node, path: () -> String, failures: inout [String])
        throws(AWSError)
    {
        if value.isNull { return }
        switch node.kind {
        case .structure:
            guard let members = value.objectValue else { throw typeError(path(), node.typeName) }
            try checkStructure(members, node: node, path: path, failures: &failures)
        case .list:
            guard let elements = value.arrayValue else { throw typeError(path(), "list") }
            lengthChecks(Double(elements.count), node: node, display: nil, path: path, failures: &failures)
            if let element = node.element {
                for (index, item) in elements.enumerated() {
                    try check(item, node: element, path: { "\(path()).\(index + 1).member" }, failures: &failures)
                }
            }
        case .map:
            guard let entries = value.objectValue else { throw typeError(path(), "map") }
            lengthChecks(Double(entries.count), node: node, display: nil, path: path, failures: &failures)
            if let element = node.element {
                for (key, entry) in entries {
                    try check(entry, node: element, path: { "\(path()).\(key)" }, failures: &failures)
                }
            }
        case .string:
            guard let text = value.stringValue else { throw typeError(path(), "string") }
            let display = node.sensitive ? nil : text
            // Characters, as AWS counts them; for ASCII text (nearly every request) that is the byte count, but
            // for "\r\n", one Character.
            let length = text.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D } ? text.utf8.count : text.count
            lengthChecks(Double(length), node: node, display: display, path: path, failures: &failures)
            if let allowed = node.allowed, !allowed.contains(text) {
                failures.append(describe(display, path()) + "Member must satisfy enum value set: ["
                    + node.allowedInOrder.joined(separator: ", ") + "]")
            }
            if let pattern = node.pattern, pattern.matches(text) == false {
                failures.append(describe(display, path()) + "Member must satisfy regular expression pattern: "
                    + pattern.source)
            }
        case .blob:
            guard let text = value.stringValue else { throw typeError(path(), "blob") }
            guard let count = Base64.decodedCount(text) else {
                throw AWSError.serialization("Value at '\(path())' is not valid base64.")
            }
            lengthChecks(Double(count), node: node, display: nil, path: path, failures: &failures)
        case .integer:
            guard let number = value.intValue else { throw typeError(path(), node.typeName) }
            rangeChecks(Double(number), text: { String(number) }, node: node, path: path, failures: &failures)
        case .double:
            guard let number = value.doubleValue else { throw typeError(path(), node.typeName) }
            rangeChecks(number, text: { String(number) }, node: node, path: path, failures: &failures)
        case .boolean:
            guard value.boolValue != nil else { throw typeError(path(), "boolean") }
        case .timestamp:
            guard value.doubleValue != nil || value.stringValue != nil else { throw typeError(path(), "timestamp") }
        case .other:
            break
        }
    }

    /// A structure's members. The request's members are found among the shape's (a hash each), then checked in
    /// the shape's name order, so messages come in AWS's order; members the shape does not name are not checked.
    /// Looking each of the shape's members up in the request instead hashed eight names for an Encrypt that has
    /// two.
    private func checkStructure(_ members: [String: JSONValue], node: Node, path: () -> String,
                                failures: inout [String]) throws(AWSError)
    {
        typealias Found = (position: Int, index: Dictionary<String, JSONValue>.Index)
        let result: Result<Void, AWSError> = withUnsafeTemporaryAllocation(of: Found.self, capacity: members.count) {
            buffer in
            var count = 0
            defer { buffer.baseAddress?.deinitialize(count: count) }
            var index = members.startIndex
            while index != members.endIndex {
                if let position = node.memberPositions[members.keys[index]] {
                    // Insertion sort: a request names a handful of members.
                    var slot = count
                    while slot > 0, buffer[slot - 1].position > position { slot -= 1 }
                    if slot < count {
                        let base = buffer.baseAddress!
                        (base + slot + 1).moveInitialize(from: base + slot, count: count - slot)
                    }
                    buffer.initializeElement(at: slot, to: (position, index))
                    count += 1
                }
                members.formIndex(after: &index)
            }
            let found = UnsafeMutableBufferPointer(rebasing: buffer[..<count])
            for (required, position) in zip(node.required, node.requiredPositions) {
                let missing = if let position {
                    !found.contains { $0.position == position && !members.values[$0.index].isNull }
                } else {
                    members[required]?.isNull ?? true
                }
                if missing {
                    failures.append("Value null at '\(Self.memberPath(required, under: path()))' failed to satisfy "
                        + "constraint: Member must not be null")
                }
            }
            do throws(AWSError) {
                for entry in found {
                    let member = node.members[entry.position]
                    try check(members.values[entry.index], node: member.node, path: { Self.join(path(), member.path) },
                              failures: &failures)
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private func describe(_ display: String?, _ path: String) -> String {
        if let display { return "Value '\(display)' at '\(path)' failed to satisfy constraint: " }
        return "Value at '\(path)' failed to satisfy constraint: "
    }

    private func lengthChecks(_ length: Double, node: Node, display: String?, path: () -> String,
                              failures: inout [String])
    {
        if let min = node.min, length < min {
            failures.append(describe(display, path()) + "Member must have length greater than or equal to \(Int(min))")
        }
        if let max = node.max, length > max {
            failures.append(describe(display, path()) + "Member must have length less than or equal to \(Int(max))")
        }
    }

    private func rangeChecks(_ number: Double, text: () -> String, node: Node, path: () -> String,
                             failures: inout [String])
    {
        if let min = node.min, number < min {
            failures.append(describe(text(), path()) + "Member must have value greater than or equal to \(Int(min))")
        }
        if let max = node.max, number > max {
            failures.append(describe(text(), path()) + "Member must have value less than or equal to \(Int(max))")
        }
    }

    private func typeError(_ path: String, _ expected: String) -> AWSError {
        AWSError.serialization("Expected \(expected) for '\(path.isEmpty ? "request" : path)'.")
    }
}
