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

    private func message(_ input: JSONValue) -> String? {
        do {
            try validator.validate("Op", input)
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
}
