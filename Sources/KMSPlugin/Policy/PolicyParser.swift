import EmuPluginKit

/// Turns policy JSON into a `PolicyDocument`, checking IAM's grammar as it goes.
///
/// Principals are checked after the whole grammar, so that a document with both a syntax error and a bad
/// principal reports the syntax error, and every bad principal gets AWS's one message for them.
struct PolicyParser {
    var requireResource: Bool

    private static let topLevelElements: Set = ["Version", "Id", "Statement"]
    private static let statementElements: Set = [
        "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
    ]

    func document(_ json: JSONValue) throws(AWSError) -> PolicyDocument {
        guard let members = json.objectValue else {
            throw PolicyDocument.malformed("The key policy must be a JSON object.")
        }
        for name in members.keys.sorted() where !Self.topLevelElements.contains(name) {
            throw PolicyDocument.malformed("The key policy contains an unknown element: \(name).")
        }
        var version: String?
        if let value = members["Version"] {
            guard let text = value.stringValue, PolicyDocument.versions.contains(text) else {
                throw PolicyDocument.malformed(
                    "The policy version is not valid. Valid versions are 2012-10-17 and 2008-10-17.")
            }
            version = text
        }
        var id: String?
        if let value = members["Id"] {
            guard let text = value.stringValue else {
                throw PolicyDocument.malformed("The Id element must be a string.")
            }
            id = text
        }
        let statementValues: [JSONValue]
        switch members["Statement"] {
        case .object(let statement)?: statementValues = [.object(statement)]
        case .array(let list)? where !list.isEmpty: statementValues = list
        case nil: throw PolicyDocument.malformed("The key policy must contain a Statement element.")
        default:
            throw PolicyDocument.malformed(
                "The Statement element must be a statement object or a non-empty list of them.")
        }
        var principalsValid = true
        var statements: [PolicyStatement] = []
        for value in statementValues {
            statements.append(try statement(value, principalsValid: &principalsValid))
        }
        guard principalsValid else { throw PolicyDocument.malformed(PolicyPrincipal.invalidMessage) }
        return PolicyDocument(version: version, id: id, statements: statements)
    }

    private func statement(_ json: JSONValue, principalsValid: inout Bool) throws(AWSError) -> PolicyStatement {
        guard let members = json.objectValue else {
            throw PolicyDocument.malformed("Each policy statement must be a JSON object.")
        }
        for name in members.keys.sorted() where !Self.statementElements.contains(name) {
            throw PolicyDocument.malformed("A policy statement contains an unknown element: \(name).")
        }
        var sid: String?
        if let value = members["Sid"] {
            guard let text = value.stringValue else {
                throw PolicyDocument.malformed("The Sid element must be a string.")
            }
            sid = text
        }
        guard let effectText = members["Effect"]?.stringValue,
            let effect = PolicyStatement.Effect(rawValue: effectText)
        else {
            throw PolicyDocument.malformed("Each policy statement must have an Effect of Allow or Deny.")
        }

        let (principalValue, principalsNegated) = try exactlyOne(members, "Principal", "NotPrincipal")
        guard let principalValue else {
            throw PolicyDocument.malformed("Each key policy statement must contain a Principal.")
        }
        let principals = Self.principals(principalValue)
        if principals == nil { principalsValid = false }

        let (actionValue, actionsNegated) = try exactlyOne(members, "Action", "NotAction")
        guard let actionValue, let actions = Self.strings(actionValue), !actions.isEmpty else {
            throw PolicyDocument.malformed("Policy statement must contain actions.")
        }
        for action in actions { try Self.checkAction(action) }

        let (resourceValue, resourcesNegated) = try exactlyOne(members, "Resource", "NotResource")
        if resourceValue == nil, requireResource {
            throw PolicyDocument.malformed("Policy statement must contain resources.")
        }
        var resources: [String]?
        if let resourceValue {
            guard let list = Self.strings(resourceValue), !list.isEmpty else {
                throw PolicyDocument.malformed("Policy statement must contain resources.")
            }
            for resource in list { try Self.checkResource(resource) }
            resources = list
        }

        var conditions: [PolicyCondition] = []
        if let value = members["Condition"] { conditions = try Self.conditions(value) }

        return PolicyStatement(
            sid: sid, effect: effect, principals: principals ?? [], principalsNegated: principalsNegated,
            actions: actions, actionsNegated: actionsNegated, resources: resources,
            resourcesNegated: resourcesNegated, conditions: conditions)
    }

    /// The value of whichever of an element and its `Not` form the statement has (nil for neither), and
    /// whether it was the `Not` form.
    private func exactlyOne(_ members: [String: JSONValue], _ name: String, _ negatedName: String)
        throws(AWSError) -> (JSONValue?, Bool)
    {
        switch (members[name], members[negatedName]) {
        case (.some, .some):
            throw PolicyDocument.malformed("A policy statement cannot contain both \(name) and \(negatedName).")
        case (let value?, nil):
            return (value, false)
        case (nil, let value?):
            return (value, true)
        case (nil, nil):
            return (nil, false)
        }
    }

    /// A string or a list of strings.
    private static func strings(_ json: JSONValue) -> [String]? {
        switch json {
        case .string(let text): return [text]
        case .array(let list):
            var texts: [String] = []
            for item in list {
                guard let text = item.stringValue else { return nil }
                texts.append(text)
            }
            return texts
        default: return nil
        }
    }

    /// `"*"`, or an object of `AWS`, `Service`, `Federated` entries (a string or non-empty list each).
    /// - Returns: nil when any entry is not a principal KMS accepts.
    private static func principals(_ json: JSONValue) -> [PolicyPrincipal]? {
        if json.stringValue == "*" { return [.anyone] }
        guard let members = json.objectValue, !members.isEmpty else { return nil }
        var principals: [PolicyPrincipal] = []
        for (type, value) in members {
            guard let texts = strings(value), !texts.isEmpty else { return nil }
            for text in texts {
                let principal: PolicyPrincipal? =
                    switch type {
                    case "AWS": PolicyPrincipal.aws(text)
                    case "Service": PolicyPrincipal.service(named: text)
                    case "Federated": PolicyPrincipal.federated(named: text)
                    default: nil
                    }
                guard let principal else { return nil }
                principals.append(principal)
            }
        }
        return principals
    }

    /// IAM's rule for an action: `*`, or `vendor:action` with one colon and a plain vendor name.
    private static func checkAction(_ action: String) throws(AWSError) {
        if action == "*" { return }
        let parts = action.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 else {
            throw PolicyDocument.malformed(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
        }
        guard parts.count == 2 else { throw PolicyDocument.malformed("Actions/Condition can contain only one colon.") }
        let vendor = parts[0]
        guard !vendor.isEmpty,
            vendor.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else {
            throw PolicyDocument.malformed("Vendor \(vendor) is not valid")
        }
    }

    /// IAM's rule for a resource: `*`, or an ARN whose service is spelled out.
    private static func checkResource(_ resource: String) throws(AWSError) {
        if resource == "*" { return }
        let parts = resource.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty else {
            throw PolicyDocument.malformed("Resource \(resource) must be in ARN format or \"*\".")
        }
        guard !parts[2].isEmpty, !WildcardPattern.containsWildcard(String(parts[2])) else {
            throw PolicyDocument.malformed("Resource vendor must be fully qualified and cannot contain regexes.")
        }
    }

    /// `{operator: {key: value or [values]}}`; values may be strings, numbers or booleans.
    private static func conditions(_ json: JSONValue) throws(AWSError) -> [PolicyCondition] {
        guard let operators = json.objectValue else {
            throw PolicyDocument.malformed("The Condition element must be a JSON object.")
        }
        var conditions: [PolicyCondition] = []
        for operatorName in operators.keys.sorted() {
            guard let op = ConditionOperator(operatorName) else {
                throw PolicyDocument.malformed("The policy contains an unknown condition operator: \(operatorName).")
            }
            guard let keys = operators[operatorName]?.objectValue else {
                throw PolicyDocument.malformed(
                    "The condition operator \(operatorName) must map condition keys to values.")
            }
            for (key, value) in keys.sorted(by: { $0.key < $1.key }) {
                guard let colon = key.firstIndex(of: ":"), colon != key.startIndex,
                    key.index(after: colon) != key.endIndex
                else {
                    throw PolicyDocument.malformed(
                        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
                }
                guard let values = conditionValues(value) else {
                    throw PolicyDocument.malformed(
                        "The values of condition key \(key) must be strings, numbers or booleans, or a list of them.")
                }
                conditions.append(PolicyCondition(conditionOperator: op, key: key, values: values))
            }
        }
        return conditions
    }

    private static func conditionValues(_ json: JSONValue) -> [String]? {
        func scalar(_ value: JSONValue) -> String? {
            switch value {
            case .string(let text): text
            case .bool(let flag): flag ? "true" : "false"
            case .int(let number): String(number)
            case .double(let number):
                number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            default: nil
            }
        }
        if case .array(let list) = json {
            var texts: [String] = []
            for item in list {
                guard let text = scalar(item) else { return nil }
                texts.append(text)
            }
            return texts
        }
        return scalar(json).map { [$0] }
    }
}
