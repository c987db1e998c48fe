import Foundation

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
    /// Compiled once: NSRegularExpression is immutable after creation and safe to share.
    private let patterns: [String: NSRegularExpressionBox]

    /// - Parameter json: the generated model text.
    public init(modelJSON json: String) {
        do {
            model = try JSONDecoder().decode(Model.self, from: Data(json.utf8))
        } catch {
            fatalError("The generated service model does not parse: \(error)")
        }
        var compiled: [String: NSRegularExpressionBox] = [:]
        for shape in model.shapes.values {
            guard let pattern = shape.pattern, compiled[pattern] == nil else { continue }
            if let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) {
                compiled[pattern] = NSRegularExpressionBox(regex: regex)
            }
        }
        patterns = compiled
    }

    /// The operations the model names, so a plugin can tell which it has not implemented.
    public var operationNames: [String] { model.operations.keys.sorted() }

    /// Checks `input` for `operation`.
    /// - Throws: `SerializationException` when a member has the wrong JSON type or is not valid base64;
    ///   `ValidationException` listing every constraint that fails.
    public func validate(_ operation: String, _ input: JSONValue) throws(AWSError) {
        guard let shapeName = model.operations[operation] ?? nil, let shape = model.shapes[shapeName] else { return }
        guard case .object = input else {
            throw AWSError.serialization("Expected a JSON object for the \(operation) request.")
        }
        var failures: [String] = []
        try check(input, shape: shape, path: "", failures: &failures)
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

    private func check(_ value: JSONValue, shape: Shape, path: String, failures: inout [String]) throws(AWSError) {
        if value.isNull { return }
        switch shape.type {
        case "structure":
            guard let members = value.objectValue else { throw typeError(path, "structure") }
            for required in shape.required ?? [] where members[required] == nil || members[required]!.isNull {
                failures.append("Value null at '\(Self.memberPath(required, under: path))' failed to satisfy "
                    + "constraint: Member must not be null")
            }
            // Walk the request's members (usually few) rather than the shape's, in name order for stable messages.
            for (name, memberValue) in members.count > 1 ? members.sorted(by: { $0.key < $1.key }) : Array(members) {
                guard let memberShapeName = shape.members?[name], let memberShape = model.shapes[memberShapeName] else {
                    continue
                }
                try check(memberValue, shape: memberShape, path: Self.memberPath(name, under: path), failures: &failures)
            }
        case "list":
            guard let elements = value.arrayValue else { throw typeError(path, "list") }
            lengthChecks(Double(elements.count), shape: shape, display: nil, path: path, failures: &failures)
            if let memberName = shape.member, let memberShape = model.shapes[memberName] {
                for (index, element) in elements.enumerated() {
                    try check(element, shape: memberShape, path: "\(path).\(index + 1).member", failures: &failures)
                }
            }
        case "map":
            guard let entries = value.objectValue else { throw typeError(path, "map") }
            lengthChecks(Double(entries.count), shape: shape, display: nil, path: path, failures: &failures)
            if let valueName = shape.value, let valueShape = model.shapes[valueName] {
                for (key, entry) in entries {
                    try check(entry, shape: valueShape, path: "\(path).\(key)", failures: &failures)
                }
            }
        case "string":
            guard let text = value.stringValue else { throw typeError(path, "string") }
            let display = shape.sensitive == true ? nil : text
            lengthChecks(Double(text.count), shape: shape, display: display, path: path, failures: &failures)
            if let allowed = shape.enum, !allowed.contains(text) {
                failures.append(describe(display, path) + "Member must satisfy enum value set: ["
                    + allowed.joined(separator: ", ") + "]")
            }
            if let pattern = shape.pattern, let regex = patterns[pattern]?.regex {
                let range = NSRange(text.startIndex..., in: text)
                let match = regex.firstMatch(in: text, options: [.anchored], range: range)
                if match == nil || match!.range != range {
                    failures.append(describe(display, path) + "Member must satisfy regular expression pattern: "
                        + pattern)
                }
            }
        case "blob":
            guard let text = value.stringValue else { throw typeError(path, "blob") }
            guard let bytes = Base64.decode(text) else {
                throw AWSError.serialization("Value at '\(path)' is not valid base64.")
            }
            lengthChecks(Double(bytes.count), shape: shape, display: nil, path: path, failures: &failures)
        case "integer", "long":
            guard let number = value.intValue else { throw typeError(path, shape.type) }
            rangeChecks(Double(number), text: String(number), shape: shape, path: path, failures: &failures)
        case "double", "float":
            guard let number = value.doubleValue else { throw typeError(path, shape.type) }
            rangeChecks(number, text: String(number), shape: shape, path: path, failures: &failures)
        case "boolean":
            guard value.boolValue != nil else { throw typeError(path, "boolean") }
        case "timestamp":
            guard value.doubleValue != nil || value.stringValue != nil else { throw typeError(path, "timestamp") }
        default:
            break
        }
    }

    private func describe(_ display: String?, _ path: String) -> String {
        if let display { return "Value '\(display)' at '\(path)' failed to satisfy constraint: " }
        return "Value at '\(path)' failed to satisfy constraint: "
    }

    private func lengthChecks(_ length: Double, shape: Shape, display: String?, path: String, failures: inout [String]) {
        if let min = shape.min, length < min {
            failures.append(describe(display, path) + "Member must have length greater than or equal to \(Int(min))")
        }
        if let max = shape.max, length > max {
            failures.append(describe(display, path) + "Member must have length less than or equal to \(Int(max))")
        }
    }

    private func rangeChecks(_ number: Double, text: String, shape: Shape, path: String, failures: inout [String]) {
        if let min = shape.min, number < min {
            failures.append(describe(text, path) + "Member must have value greater than or equal to \(Int(min))")
        }
        if let max = shape.max, number > max {
            failures.append(describe(text, path) + "Member must have value less than or equal to \(Int(max))")
        }
    }

    private func typeError(_ path: String, _ expected: String) -> AWSError {
        AWSError.serialization("Expected \(expected) for '\(path.isEmpty ? "request" : path)'.")
    }
}

/// NSRegularExpression is immutable once built; this box says so to the compiler.
struct NSRegularExpressionBox: @unchecked Sendable {
    let regex: NSRegularExpression
}
