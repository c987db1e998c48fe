import Testing
@testable import EmuPluginKit

/// The validator's messages and their order, on a small model of the botocore shape the generated ones have.
@Suite struct ShapeValidatorTests {
    let validator = ShapeValidator(modelJSON: """
        {"apiVersion": "2014-11-01", "operations": {"Op": "In"}, "shapes": {
          "In": {"type": "structure", "required": ["Id"], "members": {
            "Id": "Text", "Note": "Text", "Count": "Count", "Inner": "In2", "List": "Texts"}},
          "In2": {"type": "structure", "members": {"Zed": "Text", "Alpha": "Text"}},
          "Texts": {"type": "list", "member": "Text"},
          "Text": {"type": "string", "min": 1, "max": 3},
          "Count": {"type": "integer", "min": 1, "max": 1024}}}
        """)

    /// Patterns and enums, with botocore's shapes for an alias name, a key ARN and a key spec.
    let patterned = ShapeValidator(modelJSON: #"""
        {"apiVersion": "2014-11-01", "operations": {"Op": "In"}, "shapes": {
          "In": {"type": "structure", "members": {"Alias": "AliasName", "Arn": "Arn", "Spec": "Spec"}},
          "AliasName": {"type": "string", "min": 1, "max": 12, "pattern": "^[a-zA-Z0-9:/_-]+$"},
          "Arn": {"type": "string", "pattern": "^arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$"},
          "Spec": {"type": "string", "enum": ["RSA_2048", "ECC_NIST_P256", "SYMMETRIC_DEFAULT"]}}}
        """#)

    private func message(_ input: JSONValue, in validator: ShapeValidator? = nil) -> String? {
        do {
            try (validator ?? self.validator).validate("Op", input)
            return nil
        } catch {
            return "\(error.code): \(error.message)"
        }
    }

    @Test func lengthsCountCharactersAndCRLFIsOne() {
        #expect(message(["Id": "\r\n\r\n\r\n"]) == nil)
        #expect(message(["Id": "é€😀"]) == nil)
        #expect(message(["Id": "abcd"]) == "ValidationException: 1 validation error detected: Value 'abcd' at 'id' "
            + "failed to satisfy constraint: Member must have length less than or equal to 3")
    }

    @Test func failuresComeInMemberNameOrderAtEveryLevel() {
        let input: JSONValue = ["Note": "long", "Id": "", "Count": .int(1025),
                                "Inner": ["Zed": "zzzz", "Alpha": "aaaa"], "List": ["ok", "four"]]
        #expect(message(input) == "ValidationException: 6 validation errors detected: "
            + "Value '1025' at 'count' failed to satisfy constraint: Member must have value less than or equal to 1024; "
            + "Value '' at 'id' failed to satisfy constraint: Member must have length greater than or equal to 1; "
            + "Value 'aaaa' at 'inner.alpha' failed to satisfy constraint: Member must have length less than or equal to 3; "
            + "Value 'zzzz' at 'inner.zed' failed to satisfy constraint: Member must have length less than or equal to 3; "
            + "Value 'four' at 'list.2.member' failed to satisfy constraint: Member must have length less than or equal to 3; "
            + "Value 'long' at 'note' failed to satisfy constraint: Member must have length less than or equal to 3")
    }

    @Test func aMissingRequiredMemberAndATypeError() {
        #expect(message(["Note": "ok"]) == "ValidationException: 1 validation error detected: Value null at 'id' "
            + "failed to satisfy constraint: Member must not be null")
        #expect(message(["Id": "ok", "Inner": ["Zed": .int(1)], "Count": "x"])?.hasPrefix("SerializationException") == true)
    }

    /// A required member sent as null is missing; members the model does not name are not checked, and do not
    /// stand in for the ones it does.
    @Test func aNullRequiredMemberAndMembersTheModelDoesNotName() {
        #expect(message(["Id": .null, "Unknown": "whatever", "Note": "ok"]) == "ValidationException: 1 validation "
            + "error detected: Value null at 'id' failed to satisfy constraint: Member must not be null")
        #expect(message(["Id": "ok", "Extra": "far too long", "More": .int(5), "Inner": ["Other": "too long"]]) == nil)
        #expect(message(["id": "ok"]) == "ValidationException: 1 validation error detected: Value null at 'id' "
            + "failed to satisfy constraint: Member must not be null")
    }

    @Test func patternsAndEnumsAreWordedAsAWSWordsThem() {
        #expect(message(["Alias": "alias/ok_1", "Arn": "arn:aws:kms:us-east-1:111122223333:key/k", "Spec": "RSA_2048"],
                        in: patterned) == nil)
        #expect(message(["Alias": "alias/a b"], in: patterned) == "ValidationException: 1 validation error detected: "
            + "Value 'alias/a b' at 'alias' failed to satisfy constraint: Member must satisfy regular expression "
            + "pattern: ^[a-zA-Z0-9:/_-]+$")
        // Both of a member's failures, length first; then the next member.
        #expect(message(["Alias": "alias/far too long!", "Arn": "arn:aws:kms:us-east-1:1111:key/k", "Spec": "RSA_4096"],
                        in: patterned) == "ValidationException: 4 validation errors detected: "
            + "Value 'alias/far too long!' at 'alias' failed to satisfy constraint: Member must have length less than "
            + "or equal to 12; "
            + "Value 'alias/far too long!' at 'alias' failed to satisfy constraint: Member must satisfy regular "
            + "expression pattern: ^[a-zA-Z0-9:/_-]+$; "
            + "Value 'arn:aws:kms:us-east-1:1111:key/k' at 'arn' failed to satisfy constraint: Member must satisfy "
            + "regular expression pattern: ^arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$; "
            + "Value 'RSA_4096' at 'spec' failed to satisfy constraint: Member must satisfy enum value set: "
            + "[RSA_2048, ECC_NIST_P256, SYMMETRIC_DEFAULT]")
    }
}
